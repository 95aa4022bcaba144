import Foundation
import Testing
import SextantAPI
import SextantCore

/// Status phases are typed; their JSON is the contract of DESIGN §3 (and the `Unavailable`
/// of docs/deviations.md).
@Suite struct ObjectPhaseTests {
    /// Every phase and the string DESIGN §3 lists for it.
    static let documented: [(ObjectPhase, String)] = [
        (.pending, "Pending"), (.validatingData, "ValidatingData"), (.training, "Training"), (.evaluating, "Evaluating"),
        (.packaging, "Packaging"), (.rollingOut, "RollingOut"), (.serving, "Serving"), (.unavailable, "Unavailable"),
        (.dataInvalid, "DataInvalid"), (.trainingFailed, "TrainingFailed"), (.gateFailed, "GateFailed"), (.rolloutAborted, "RolloutAborted"),
        (.candidateReady, "CandidateReady"), (.validating, "Validating"), (.validated, "Validated"), (.valid, "Valid"),
    ]

    @Test("every phase is listed, once")
    func everyPhaseListed() {
        #expect(Set(Self.documented.map(\.0)) == Set(ObjectPhase.allCases))
        #expect(Self.documented.count == ObjectPhase.allCases.count)
    }

    @Test("a phase's JSON is the documented string, and reads back", arguments: documented)
    func json(_ phase: ObjectPhase, _ string: String) throws {
        let json = String(decoding: try StatusDocument.jsonEncoder(pretty: false).encode([phase]), as: UTF8.self)
        #expect(json == "[\"\(string)\"]")
        #expect(try StatusDocument.jsonDecoder().decode([ObjectPhase].self, from: Data(json.utf8)) == [phase])
    }

    @Test("an object's status keeps its phase string in JSON")
    func inStatus() throws {
        let status = ObjectStatus(kind: .model, name: "fraud", sync: .outOfSync, health: .healthy, phase: .gateFailed, message: "auc 0.7",
                                  createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        let json = String(decoding: try StatusDocument.jsonEncoder(pretty: false).encode(status), as: UTF8.self)
        #expect(json.contains(#""phase":"GateFailed""#), "\(json)")
        #expect(try StatusDocument.jsonDecoder().decode(ObjectStatus.self, from: Data(json.utf8)).phase == .gateFailed)
    }

    @Test("reconcile --once exits 1 on the phases a person must fix, not on the ones on their way or CandidateReady")
    func needsAPerson() {
        #expect(ObjectPhase.allCases.filter(\.needsAPerson) == [.dataInvalid, .trainingFailed, .gateFailed, .rolloutAborted])
    }
}
