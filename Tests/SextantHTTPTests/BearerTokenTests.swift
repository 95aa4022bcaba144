import Testing
import SextantHTTP

@Suite struct BearerTokenTests {
    @Test("a bearer header matches its token only, whole and exactly", arguments: [
        ("Bearer s3cret", "s3cret", true),
        ("Bearer s3cret", "s3cre", false),
        ("Bearer s3cre", "s3cret", false),
        ("Bearer s3creT", "s3cret", false),
        ("bearer s3cret", "s3cret", false),
        ("Basic s3cret", "s3cret", false),
        ("s3cret", "s3cret", false),
        ("Bearer ", "", true),
        ("Bearer  s3cret", "s3cret", false),
    ])
    func matches(header: String, token: String, expected: Bool) {
        #expect(BearerToken.matches(authorization: header, token: token) == expected)
    }

    @Test("no header matches no token")
    func missing() {
        #expect(!BearerToken.matches(authorization: nil, token: "s3cret"))
    }

    @Test("constant-time equality: equal bytes only", arguments: [
        ([UInt8](), [UInt8](), true), ([1, 2, 3], [1, 2, 3], true), ([1, 2, 3], [1, 2, 4], false),
        ([1, 2, 3], [1, 2], false), ([0], [], false),
    ])
    func equality(a: [UInt8], b: [UInt8], expected: Bool) {
        #expect(BearerToken.constantTimeEqual(a, b) == expected)
        #expect(BearerToken.constantTimeEqual(b, a) == expected)
    }
}
