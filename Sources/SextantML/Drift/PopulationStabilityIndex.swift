#if canImport(Glibc)
import Glibc
#endif

/// Evidently's PSI: Σ (r − c)·ln(r/c) over the binned shares, empty bins filled first.
enum PopulationStabilityIndex {
    static func index(_ shares: BinnedShares) -> Double {
        let filled = shares.withEmptyBinsFilled()
        return zip(filled.reference, filled.current).reduce(0) { sum, pair in
            sum + (pair.0 - pair.1) * log(pair.0 / pair.1)
        }
    }
}
