import Testing
import SextantAPI

@Suite struct ManifestDurationTests {
    @Test("durations are numbers with units, summed", arguments: [
        ("500ms", Int64(500)), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000), ("1w", 604_800_000), ("0s", 0),
    ])
    func parses(text: String, milliseconds: Int64) {
        #expect(ManifestDuration(text)?.milliseconds == milliseconds)
    }

    @Test("anything else is not a duration", arguments: ["", "5", "5 minutes", "m5", "1.5h", "-1s", "5M", "1h 30m", "99999999999999w", "15250284452w15250284452w"])
    func rejects(text: String) {
        #expect(ManifestDuration(text) == nil)
    }
}
