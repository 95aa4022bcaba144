import SextantWire
import Testing

/// Sticky assignment units (DESIGN §10): the keyed hash of a unit header's value, and the
/// arm it goes to. Every gateway must compute the same arm for a unit, now and after an
/// upgrade, or a user would switch arms in the middle of an experiment.
@Suite struct ExperimentAssignmentTests {
    /// Units over `count` synthetic user ids.
    static func units(_ count: Int, salt: UInt64) -> [UInt64] {
        let assignment = ExperimentAssignment(unitHeader: "X-User-Id", salt: salt)
        return (0..<count).map { assignment.unit(of: "user-\($0)") }
    }

    /// The share (0…1) of `units` that go to arm `arm` under `weights`.
    static func share(_ units: [UInt64], arm: Int, weights: [Int]) -> Double {
        Double(units.count { ExperimentAssignment.arm(of: $0, weights: weights) == arm }) / Double(units.count)
    }

    @Test("the hash is pinned: these values come from an independent Python implementation of FNV-1a keyed with the salt and SplitMix64's finalizer",
          arguments: [
              ("user-42", UInt64(7), UInt64(0x648A_6C63_4339_F9F7)),
              ("", 0, 0x5B21_F68F_FA77_F14C),
              ("ünïcode-Ä", 0xDEAD_BEEF, 0xB792_F8D4_BADD_6A5D),
          ] as [(String, UInt64, UInt64)])
    func pinnedValues(value: String, salt: UInt64, expected: UInt64) {
        let assignment = ExperimentAssignment(unitHeader: "X-User-Id", salt: salt)
        #expect(assignment.unit(of: value) == expected)
        var copy = value
        #expect(copy.withUTF8 { assignment.unit(ofUTF8: UnsafeRawBufferPointer($0)) } == expected, "the gateway hashes the head's bytes")
        #expect(assignment.unit(of: ("[" + value + "]").dropFirst().dropLast()) == expected, "a substring hashes as its text")
    }

    @Test("the same value and salt always give the same unit and arm; different values give different units")
    func deterministic() {
        let first = Self.units(1_000, salt: 42)
        let again = Self.units(1_000, salt: 42)
        #expect(first == again)
        #expect(first.map { ExperimentAssignment.arm(of: $0, weights: [50, 50]) } == again.map { ExperimentAssignment.arm(of: $0, weights: [50, 50]) })
        #expect(Set(first).count == 1_000)
    }

    @Test("another salt (another experiment) reshuffles the units: about half of them change arm at 50/50")
    func saltReshuffles() {
        let one = Self.units(10_000, salt: 1)
        let other = Self.units(10_000, salt: 2)
        let moved = zip(one, other).count { ExperimentAssignment.arm(of: $0, weights: [50, 50]) != ExperimentAssignment.arm(of: $1, weights: [50, 50]) }
        #expect(abs(Double(moved) / 10_000 - 0.5) < 0.02, "\(moved) of 10,000 units changed arm")
        // Salts that differ in one bit only, too.
        let flipped = Self.units(10_000, salt: 1 | 1 << 40)
        let movedByBit = zip(one, flipped).count { ExperimentAssignment.arm(of: $0, weights: [50, 50]) != ExperimentAssignment.arm(of: $1, weights: [50, 50]) }
        #expect(abs(Double(movedByBit) / 10_000 - 0.5) < 0.02, "\(movedByBit) of 10,000 units changed arm")
    }

    @Test("100,000 synthetic units split within 1 point of the weights", arguments: [
        [50, 50], [80, 20], [99, 1], [30, 30, 40],
    ])
    func uniform(weights: [Int]) {
        let units = Self.units(100_000, salt: 0x5EED)
        let total = Double(weights.reduce(0, +))
        for (arm, weight) in weights.enumerated() {
            let share = Self.share(units, arm: arm, weights: weights)
            #expect(abs(share - Double(weight) / total) < 0.01, "arm \(arm): \(share)")
        }
    }

    @Test("the buckets themselves are uniform: each tenth of them holds 10% of 100,000 units within 1 point")
    func uniformBuckets() {
        var tenths = Array(repeating: 0, count: 10)
        for unit in Self.units(100_000, salt: 3) { tenths[Int(unit % ExperimentAssignment.buckets) / 1_000] += 1 }
        #expect(tenths.allSatisfy { abs(Double($0) / 100_000 - 0.1) < 0.01 }, "\(tenths)")
    }

    @Test("weights with 0: an arm of weight 0 gets no unit; all 0 or none: no arm", arguments: [
        ([100, 0], [0: 1.0]), ([0, 100], [1: 1.0]), ([100], [0: 1.0]), ([0, 0], [:]), ([], [:]), ([0, 50, 0, 50], [1: 0.5, 3: 0.5]),
    ] as [([Int], [Int: Double])])
    func edgeWeights(weights: [Int], expected: [Int: Double]) {
        let units = Self.units(10_000, salt: 9) + [0, ExperimentAssignment.buckets - 1, UInt64.max]
        var counts: [Int: Int] = [:]
        var none = 0
        for unit in units {
            if let arm = ExperimentAssignment.arm(of: unit, weights: weights) { counts[arm, default: 0] += 1 } else { none += 1 }
        }
        #expect(Set(counts.keys) == Set(expected.keys))
        #expect(none == (expected.isEmpty ? units.count : 0))
        for (arm, share) in expected {
            #expect(abs(Double(counts[arm] ?? 0) / Double(units.count) - share) < 0.02, "arm \(arm): \(counts)")
        }
    }

    @Test("raising the candidate's weight only moves units to it: none leaves the candidate")
    func raisingSplitKeepsCandidates() {
        let units = Self.units(10_000, salt: 11)
        for (before, after) in [(10, 20), (20, 50), (50, 100)] {
            let leaving = units.count {
                ExperimentAssignment.arm(of: $0, weights: [100 - before, before]) == 1 && ExperimentAssignment.arm(of: $0, weights: [100 - after, after]) == 0
            }
            #expect(leaving == 0, "\(before)% → \(after)%")
        }
    }
}
