#!/usr/bin/env python3
"""Reference numbers for OtklikHotspots' scan statistic (ScanStatistic.swift), computed independently with numpy.

Usage (from the repository root):

    python3 Benchmarks/peers/scan_reference.py POINTS_CSV [--replicas R] [--seed S] > EXPECTED_CSV

POINTS_CSV: a header line "# radius=<m> minimum=<k> min_points=<k> eps=<code>:<m>,..." then id,x,y,category rows
(metres). For every category: plain DBSCAN (distance <= eps, the point itself counted, border points joining the
cluster of an adjacent core; the script refuses fixtures where a border point touches two clusters), then for each
cluster, in the engine's definitions:

    rate       = N_category / N_other            (N_other: points of the other categories; 1 without any)
    r          = the smallest of radius / 2^(j/2), j = 8 ... 0, whose disc around (cx, cy), the members' mean,
                 holds at least `minimum` points of the other categories (else radius)
    background = points of the other categories with (x - cx)^2 + (y - cy)^2 <= r^2 (every point, rate 1, when
                 the fixture holds one category only)
    footprint  = convex hull area + hull perimeter * eps + pi * eps^2
    E          = rate * max(1, background) * footprint / (pi * r^2)
    LLR        = O ln(O/E) + (N - O) ln((N - O)/(N - E))  if O > E else 0          (Kulldorff 1997)

and two reference p-values, each the fraction of R replicas whose largest LLR in the category is >= the cluster's
LLR: p_conditional, where each cluster's replica count is Binomial(N, pi_k) conditioned on >= min_points,
independently (sampled by inverting the conditional pmf table), and the statistic compared is LLR - LLR(min_points)
for the replicas and the cluster alike (the evidence beyond the least a cluster holds), and p_multinomial, numpy's multinomial of the N
cases over the clusters and the rest; pi_k = E_k / max(N, sum E). The script also
refuses fixtures with a point within 1e-3 m of the edge of a disc it counted, where rounding could decide.
Output: CSV, one row per cluster: id (lowest member id), category, observed, total, background, disc radius,
footprint, expected, ratio, llr, p_conditional, p_multinomial; floats round-trip exactly. Python runs only to make
the fixture.
"""
import math
import sys

import numpy as np


def read_fixture(path):
    """The fixture's `key=value` header parameters (with `eps` as {code: metres}) and its data rows, split on commas."""
    params, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                for token in line[1:].split():
                    if "=" in token:
                        k, v = token.split("=", 1)
                        params[k] = v
                continue
            if line.startswith("id,"):
                continue
            rows.append(line.split(","))
    eps = {}
    for pair in params["eps"].split(","):
        code, value = pair.rsplit(":", 1)
        eps[code] = float(value)
    params["eps"] = eps
    return params, rows


def read_points(path):
    params, rows = read_fixture(path)
    points = [(int(i), float(x), float(y), c) for i, x, y, c in rows]
    return float(params["radius"]), int(params["minimum"]), int(params["min_points"]), params["eps"], points


def dbscan(x, y, eps, min_points):
    """Labels (-1 noise) for points given in id order; clusters numbered by their lowest-index core."""
    n = len(x)
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    near = dx * dx + dy * dy <= eps * eps
    core = near.sum(axis=1) >= min_points
    labels = np.full(n, -1)
    cluster = 0
    for i in range(n):
        if not core[i] or labels[i] >= 0:
            continue
        stack = [i]
        labels[i] = cluster
        while stack:
            p = stack.pop()
            for q in np.nonzero(near[p] & core)[0]:
                if labels[q] < 0:
                    labels[q] = cluster
                    stack.append(q)
        cluster += 1
    for i in range(n):
        if core[i]:
            continue
        touching = sorted({int(labels[j]) for j in np.nonzero(near[i] & core)[0]})
        if len(touching) > 1:
            sys.exit(f"ambiguous border point at index {i}: touches clusters {touching}")
        if touching:
            labels[i] = touching[0]
    return labels


def hull_measure(xs, ys):
    """Monotone chain on (x, y) in metres: (area, perimeter); collinear points give (0, 2 * length)."""
    pts = sorted(set(zip(xs, ys)))
    if len(pts) < 2:
        return 0.0, 0.0

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = lower[:-1] + upper[:-1]
    o = ring[0]
    twice, perimeter = 0.0, 0.0
    for k in range(len(ring)):
        a, b = ring[k], ring[(k + 1) % len(ring)]
        twice += (a[0] - o[0]) * (b[1] - o[1]) - (b[0] - o[0]) * (a[1] - o[1])
        ddx, ddy = b[0] - a[0], b[1] - a[1]
        perimeter += math.sqrt(ddx * ddx + ddy * ddy)
    return abs(twice) / 2, perimeter


def llr(o, e, n):
    if not o > e:
        return 0.0
    inside = o * math.log(o / e)
    if o == n:
        return inside
    return inside + (n - o) * math.log((n - o) / (n - e))


def llr_matrix(counts, e, total):
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = counts * np.log(counts / e)
        rest = total - counts
        outside = np.where(rest > 0, rest * np.log(rest / (total - e)), 0.0)
        return np.where(counts > e, inside + outside, 0.0)


def conditional_p(expected, observed_llr, total, minimum, replicas, rng):
    """Each cluster's count ~ Binomial(total, pi_k) given >= minimum, independently; p from the replica maxima of
    LLR(count) - LLR(minimum), the observed statistic being LLR(O) - LLR(minimum) likewise."""
    e = np.asarray(expected)
    base = llr_matrix(np.full((1, len(e)), float(min(minimum, total))), e, total)[0]
    pi = e / max(float(total), float(e.sum()))
    ks = np.arange(minimum, total + 1)
    log_choose = np.array([math.lgamma(total + 1) - math.lgamma(k + 1) - math.lgamma(total - k + 1) for k in ks])
    tables = []
    for p in pi:
        logpmf = log_choose + ks * math.log(p) + (total - ks) * math.log1p(-p)
        w = np.exp(logpmf - logpmf.max())
        tables.append(np.cumsum(w) / w.sum())
    maxima = []
    batch = 20_000
    done = 0
    while done < replicas:
        size = min(batch, replicas - done)
        u = rng.uniform(size=(size, len(e)))
        counts = np.empty((size, len(e)))
        for k, cdf in enumerate(tables):
            counts[:, k] = ks[np.minimum(np.searchsorted(cdf, u[:, k], side="right"), len(ks) - 1)]
        maxima.append((llr_matrix(counts, e, total) - base).max(axis=1))
        done += size
    maxima = np.sort(np.concatenate(maxima))
    return [float((maxima >= v - b).mean()) for v, b in zip(observed_llr, base)]


def reference_p(expected, observed_llr, total, replicas, rng):
    """Fraction of numpy multinomial replicas whose largest LLR reaches each observed LLR."""
    e = np.asarray(expected)
    denominator = max(float(total), float(e.sum()))
    pvals = np.append(e / denominator, max(0.0, 1.0 - e.sum() / denominator))
    pvals = pvals / pvals.sum()
    maxima = []
    batch = 20_000
    done = 0
    while done < replicas:
        size = min(batch, replicas - done)
        counts = rng.multinomial(total, pvals, size=size)[:, :-1].astype(float)
        maxima.append(llr_matrix(counts, e, total).max(axis=1))
        done += size
    maxima = np.sort(np.concatenate(maxima))
    return [float((maxima >= v).mean()) for v in observed_llr]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path = args[0]
    replicas, seed = 200_000, 1
    if "--replicas" in args:
        replicas = int(args[args.index("--replicas") + 1])
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    radius, minimum, min_points, eps, rows = read_points(path)
    ladder = [radius / 2.0 ** (j / 2) for j in range(8, -1, -1)]
    rows.sort()
    all_x = np.array([r[1] for r in rows])
    all_y = np.array([r[2] for r in rows])
    all_c = np.array([r[3] for r in rows])
    n_all = len(rows)
    rng = np.random.default_rng(seed)
    out = []
    for code in sorted(eps):
        members = [r for r in rows if r[3] == code]
        if not members:
            continue
        x = np.array([r[1] for r in members])
        y = np.array([r[2] for r in members])
        labels = dbscan(x, y, eps[code], min_points)
        total = len(members)
        others = n_all - total
        rate = total / others if others > 0 else 1.0
        counted = all_c != code if others > 0 else np.ones(n_all, dtype=bool)
        clusters = []
        for label in range(labels.max() + 1):
            idx = [i for i in range(total) if labels[i] == label]
            ids = [members[i][0] for i in idx]
            xs = [members[i][1] for i in idx]
            ys = [members[i][2] for i in idx]
            cx = 0.0
            for v in xs:
                cx += v
            cx /= len(xs)
            cy = 0.0
            for v in ys:
                cy += v
            cy /= len(ys)
            ddx = all_x - cx
            ddy = all_y - cy
            d2 = (ddx * ddx + ddy * ddy)[counted]
            for r in ladder:
                background = int((d2 <= r * r).sum())
                gap = np.abs(np.sqrt(ddx * ddx + ddy * ddy) - r).min()
                if gap < 1e-3:
                    sys.exit(f"cluster {min(ids)}: a point lies {gap} m from the edge of the {r} m disc")
                if background >= minimum:
                    break
            area, perimeter = hull_measure(xs, ys)
            footprint = area + perimeter * eps[code] + math.pi * eps[code] * eps[code]
            e = rate * max(1, background) * footprint / (math.pi * r * r)
            o = len(ids)
            clusters.append([min(ids), code, o, total, background, r, footprint, e, o / e, llr(o, e, total)])
        es, lls = [c[7] for c in clusters], [c[9] for c in clusters]
        pc = conditional_p(es, lls, total, min_points, replicas, rng)
        pm = reference_p(es, lls, total, replicas, rng)
        for c, a, b in zip(clusters, pc, pm):
            out.append(c + [a, b])
    out.sort()
    print(f"# python3 Benchmarks/peers/scan_reference.py {' '.join(args)} (numpy {np.__version__})")
    print(f"# radius={radius:g} minimum={minimum} min_points={min_points} replicas={replicas} seed={seed}")
    print("id,category,observed,total,background,disc_radius,footprint,expected,ratio,llr,p_conditional,p_multinomial")
    for c in out:
        print(",".join([str(c[0]), c[1], str(c[2]), str(c[3]), str(c[4])] + [repr(float(v)) for v in c[5:]]))


if __name__ == "__main__":
    main()
