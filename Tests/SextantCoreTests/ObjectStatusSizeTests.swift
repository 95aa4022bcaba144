import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// Status keeps every object several times over (the saved document, the last status
/// compared with the next, the API's encoded parts): an object's inline size is multiplied
/// by 10,000 in a large repository, so the model's fields (968 bytes) live out of line (an
/// object was about 1 KB inline with them, 112 bytes without).
struct ObjectStatusSizeTests {
    @Test func anObjectIsSmallInline() {
        #expect(MemoryLayout<ObjectStatus>.stride <= 128, "ObjectStatus is \(MemoryLayout<ObjectStatus>.stride) bytes inline")
        #expect(MemoryLayout<ObjectStatus.ModelFields>.stride > 4 * MemoryLayout<ObjectStatus>.stride)
    }

    @Test func modelFieldsKeepValueSemantics() {
        var first = ObjectStatus(kind: .model, name: "churn", sync: .synced, health: .healthy, phase: .serving, message: "",
                                 createdAt: Date(timeIntervalSince1970: 0), model: .init(stableVersion: 1))
        var second = first
        #expect(first == second)
        second.model?.stableVersion = 2
        second.model?.endpoints.append("http://127.0.0.1:9000")
        #expect(first.model?.stableVersion == 1)
        #expect(first.model?.endpoints == [])
        #expect(second.model?.stableVersion == 2)
        #expect(first != second)
        #expect(first.hashValue != second.hashValue)
        first.model = second.model
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        first.model = nil
        #expect(first.model == nil)
        #expect(first != second)
    }
}
