/// A closed set of strings this version writes, open to the ones a newer version wrote: a
/// string it does not know loads as `unknown` and is written back as it was, so a store or
/// an API answer from a newer daemon still reads. Encoded as its raw value (the standard
/// library's `Codable` of a `String`-backed `RawRepresentable`); `allCases` lists the known
/// cases.
package protocol OpenStringEnum: RawRepresentable<String>, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible
where AllCases == [Self] {
    static func unknown(_ rawValue: String) -> Self
}

extension OpenStringEnum {
    package init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    package var description: String { rawValue }
}
