import SextantWire
import Testing

@Suite struct RequestIDTests {
    @Test("X-Request-Id: 1–128 characters of [A-Za-z0-9._:-]", arguments: [
        ("abc-123", true), ("A.b_c:d-9", true), (String(repeating: "x", count: 128), true),
        ("", false), (String(repeating: "x", count: 129), false), ("has space", false), ("ünï", false), ("a/b", false), ("a\r\nb", false),
    ])
    func validation(id: String, valid: Bool) {
        #expect(RequestID.isValid(id) == valid)
    }

    @Test("a ULID is 26 Crockford base-32 characters, its time first: ids of later milliseconds sort later")
    func ulid() {
        var generator = SystemRandomNumberGenerator()
        let first = RequestID.ulid(milliseconds: 1_733_000_000_000, using: &generator)
        let second = RequestID.ulid(milliseconds: 1_733_000_000_001, using: &generator)
        #expect(first.count == 26 && RequestID.isValid(first))
        #expect(first.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
        #expect(first < second)
        // The spec's example time 1469918176385 encodes as 01ARYZ6S41.
        #expect(RequestID.ulid(milliseconds: 1_469_918_176_385, using: &generator).hasPrefix("01ARYZ6S41"))
        #expect(RequestID.ulid(milliseconds: 1, using: &generator) != RequestID.ulid(milliseconds: 1, using: &generator))
    }

    @Test("sampling is decided by the id: the same id always the same way, and about the rate of ids are kept")
    func sampling() {
        let ids = (0..<20_000).map { "request-\($0)" }
        let kept = ids.filter { RequestID.isSampled($0, rate: 0.25) }
        #expect(abs(Double(kept.count) / Double(ids.count) - 0.25) < 0.02)
        #expect(kept == ids.filter { RequestID.isSampled($0, rate: 0.25) })
        #expect(ids.allSatisfy { RequestID.isSampled($0, rate: 1) })
        #expect(!ids.contains { RequestID.isSampled($0, rate: 0) })
        // A lower rate keeps a subset of what a higher one keeps.
        #expect(Set(ids.filter { RequestID.isSampled($0, rate: 0.1) }).isSubset(of: Set(kept)))
    }

    @Test("feedback labels fit their target's type; CSV cells read as booleans, integers, numbers or text")
    func labels() {
        #expect(FeedbackScalar.integer(1).fits(.number) && FeedbackScalar.integer(1).fits(.integer))
        #expect(!FeedbackScalar.number(1.5).fits(.integer) && !FeedbackScalar.string("1").fits(.number) && !FeedbackScalar.integer(1).fits(.boolean))
        #expect(FeedbackScalar.integer(1).fits(.string), "CSV cannot tell \"1\" from 1")
        #expect(FeedbackScalar(csv: "true") == .bool(true) && FeedbackScalar(csv: "7") == .integer(7) && FeedbackScalar(csv: "0.5") == .number(0.5))
        #expect(FeedbackScalar(csv: "fraud") == .string("fraud"))
    }
}
