/// SplitMix64 (Steele, Lea & Flood), the seeding that the xoshiro generators' authors recommend: four words of
/// state from one seed, the same on every platform. The demo generator and the Monte Carlo replicas both seed
/// their generators through it.
public enum SplitMix64 {
    public static func state(seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var x = seed
        func next() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let a = next(), b = next(), c = next(), d = next()
        return (a, b, c, d)
    }
}
