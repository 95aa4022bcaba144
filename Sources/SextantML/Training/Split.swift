/// SplitMix64 (Steele, Lea and Flood): the seeded generator behind every random choice
/// Sextant makes, so the same seed gives the same rows on every machine and in the
/// ten-line Python script `scripts/golden/split.py`. Never the system generator.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Which rows train and which are held out for evaluation (DESIGN §2 "The split").
package struct Split: Sendable, Hashable {
    /// Row indices, ascending.
    package var train: [Int]
    package var holdout: [Int]

    /// A Fisher–Yates shuffle driven by SplitMix64 (for i from n−1 down to 1, swap i with
    /// `next() % (i+1)`); with labels, each class in sorted label order is shuffled on its
    /// own, continuing the same generator. The first ⌈holdout × count⌉ shuffled rows (of
    /// each class, or of all rows) are held out.
    package init(count: Int, holdout: Double, seed: UInt64, labels: [String]? = nil) {
        var generator = SplitMix64(seed: seed)
        var groups: [[Int]]
        if let labels {
            var byLabel: [String: [Int]] = [:]
            for (row, label) in labels.enumerated() { byLabel[label, default: []].append(row) }
            groups = ClassOrder.sorted(Array(byLabel.keys)).map { byLabel[$0]! }
        } else {
            groups = [Array(0..<count)]
        }
        var train: [Int] = []
        var held: [Int] = []
        for index in groups.indices {
            var rows = groups[index]
            if rows.count > 1 {
                for i in stride(from: rows.count - 1, through: 1, by: -1) {
                    let j = Int(generator.next() % UInt64(i + 1))
                    rows.swapAt(i, j)
                }
            }
            // ⌈holdout × count⌉, robust to 0.2 × 10 = 2.0000000000000004.
            let size = min(rows.count, Int((holdout * Double(rows.count) - 1e-9).rounded(.up)))
            held += rows.prefix(size)
            train += rows.dropFirst(size)
        }
        self.train = train.sorted()
        self.holdout = held.sorted()
    }
}

/// The order of class labels everywhere (splits, probability columns, metadata): numbers
/// by value when every label is a number, otherwise by text — which puts `false` before
/// `true`.
package enum ClassOrder {
    package static func sorted(_ labels: [String]) -> [String] {
        let numbers = labels.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(labels, numbers).sorted { ($0.1!, $0.0) < ($1.1!, $1.0) }.map(\.0)
        }
        return labels.sorted()
    }
}
