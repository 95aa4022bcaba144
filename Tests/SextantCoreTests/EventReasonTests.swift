import Foundation
import Testing
import SextantCore

/// Event reasons and kinds are typed, and their JSON and stored strings stay what the API,
/// `sextant events` and older stores show.
@Suite struct EventReasonTests {
    static let encoder = StatusDocument.jsonEncoder(pretty: false)
    static let decoder = StatusDocument.jsonDecoder()

    @Test("every reason is its string in JSON and reads back as itself", arguments: EventReason.allCases)
    func reasonRoundTrips(_ reason: EventReason) throws {
        let json = String(decoding: try Self.encoder.encode([reason]), as: UTF8.self)
        #expect(json == "[\"\(reason.rawValue)\"]")
        #expect(try Self.decoder.decode([EventReason].self, from: Data(json.utf8)) == [reason])
        #expect(EventReason(rawValue: reason.rawValue) == reason)
    }

    @Test("no two reasons share a string, and none is unknown")
    func reasonsAreDistinct() {
        let strings = EventReason.allCases.map(\.rawValue)
        #expect(Set(strings).count == strings.count)
        #expect(!EventReason.allCases.contains { if case .unknown = $0 { true } else { false } })
    }

    @Test("every kind is its string in JSON and reads back as itself", arguments: EventKind.allCases)
    func kindRoundTrips(_ kind: EventKind) throws {
        let json = String(decoding: try Self.encoder.encode([kind]), as: UTF8.self)
        #expect(json == "[\"\(kind.rawValue)\"]")
        #expect(try Self.decoder.decode([EventKind].self, from: Data(json.utf8)) == [kind])
    }

    @Test("an event a newer version wrote loads with its reason and kind as written, and is written back unchanged")
    func unknownReasonLoads() throws {
        let json = #"{"actor":"sextant","commit":null,"id":7,"kind":"Monitor","message":"psi 0.31 over 0.2","name":"fraud","reason":"DriftDetected","time":"2027-01-15T08:00:00Z"}"#
        let event = try Self.decoder.decode(Event.self, from: Data(json.utf8))
        #expect(event.reason == .unknown("DriftDetected") && event.reason.rawValue == "DriftDetected")
        #expect(event.kind == .unknown("Monitor") && event.kind.rawValue == "Monitor")
        #expect(String(decoding: try Self.encoder.encode(event), as: UTF8.self) == json)
    }

    @Test("a known reason's string never loads as unknown")
    func knownStringIsKnown() throws {
        let event = try Self.decoder.decode(Event.self, from: Data(#"{"actor":"sextant","commit":"c1","id":1,"kind":"Model","message":"m","name":"fraud","reason":"Trained","time":"2027-01-15T08:00:00Z"}"#.utf8))
        #expect(event.reason == .trained && event.kind == .model)
    }

    @Test("a model's stop is recorded under the reason its status phase names", arguments: StallPhase.allCases)
    func stallReason(_ stall: StallPhase) {
        #expect(EventReason(stall).rawValue == stall.rawValue)
        #expect(ObjectPhase(stall).rawValue == stall.rawValue)
    }

    @Test("a kind typed as people type it is one of the kinds; an unknown one is not", arguments: [
        ("model", EventKind.model), ("SLO", .slo), ("slo", .slo), ("REPOSITORY", .repository), ("dataContract", .dataContract),
    ])
    func parsing(_ text: String, _ kind: EventKind) {
        #expect(EventKind(parsing: text) == kind)
        #expect(EventKind(parsing: "Monitor") == nil)
    }
}
