/// Marshall's global empirical-Bayes rate smoother (Marshall 1991, "Mapping disease and mortality rates using
/// empirical Bayes estimators"), the estimator of PySAL's `esda.smoothing.Empirical_Bayes`.
///
/// For areas i with events y_i and population n_i > 0 (k areas), raw rates r_i = y_i / n_i:
///
///     m  = Σ y / Σ n                       global rate
///     s² = Σ n_i (r_i − m)² / Σ n          population-weighted variance of the rates
///     A  = s² − m / n̄,  n̄ = Σ n / k        between-area variance (method of moments)
///     A  = max(A, 0)                        Marshall's rule when the estimate is negative
///     w_i = A / (A + m / n_i)               trust in the area's own rate: small for small populations
///     θ_i = w_i r_i + (1 − w_i) m
///
/// PySAL does not clip A at 0; the two agree whenever A >= 0. With A = 0 every area gets m: the data show no
/// variation beyond Poisson noise. With no events at all, every rate is 0.
public enum EmpiricalBayes {
    /// Smoothed rates per person; nil where the population is missing or not positive (those areas also stay
    /// out of the global estimates).
    public static func rates(events: [Double], population: [Double?]) -> [Double?] {
        precondition(events.count == population.count)
        let idx = population.indices.filter { (population[$0] ?? 0) > 0 && population[$0]!.isFinite }
        guard !idx.isEmpty else { return Array(repeating: nil, count: events.count) }
        var ySum = 0.0, nSum = 0.0
        for i in idx { ySum += events[i]; nSum += population[i]! }
        let m = ySum / nSum
        var out = [Double?](repeating: nil, count: events.count)
        guard m > 0 else {
            for i in idx { out[i] = 0 }
            return out
        }
        var weighted = 0.0
        for i in idx {
            let d = events[i] / population[i]! - m
            weighted += population[i]! * d * d
        }
        let s2 = weighted / nSum
        let a = max(0, s2 - m / (nSum / Double(idx.count)))
        for i in idx {
            let n = population[i]!
            let w = a / (a + m / n)
            out[i] = w * (events[i] / n) + (1 - w) * m
        }
        return out
    }
}
