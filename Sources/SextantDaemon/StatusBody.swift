import Foundation
import Hummingbird
import SextantCore
import SextantStore
import Synchronization

/// The JSON body of the whole status, made once per save: a client polling status every few
/// milliseconds costs a copy of the bytes, not an encoding of every object. Requests that
/// arrive while a save is encoded wait for that one encoding, and an object whose status
/// did not change since the last save keeps its bytes.
final class StatusBody: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var body: Task<ByteBuffer, Never>?
        /// Each object's JSON in the last body, with the status it encodes.
        var objects: [ObjectKey: (status: ObjectStatus, json: [UInt8])] = [:]
    }

    private let state = Mutex(State())

    /// The body of `saved` (generation 0, read from the database by another process's save,
    /// is encoded each time: nothing says when it changes).
    func bytes(of saved: SavedStatus) async -> ByteBuffer {
        guard saved.generation != 0 else { return ByteBuffer(bytes: Self.encode(saved.document)) }
        let task = state.withLock { state -> Task<ByteBuffer, Never> in
            if state.generation == saved.generation, let body = state.body { return body }
            let body = Task { self.assemble(saved.document) }
            state.generation = saved.generation
            state.body = body
            return body
        }
        return await task.value
    }

    /// The document's JSON: the objects' parts reused or encoded, put in the place of an
    /// empty `objects` array in the rest of the document's encoding (keys are sorted, and
    /// `revision`, which follows `objects`, has no key of that name).
    private func assemble(_ document: StatusDocument) -> ByteBuffer {
        let known = state.withLock { $0.objects }
        var objects: [ObjectKey: (status: ObjectStatus, json: [UInt8])] = [:]
        objects.reserveCapacity(document.objects.count)
        var list: [UInt8] = [UInt8(ascii: "[")]
        for (index, object) in document.objects.enumerated() {
            let json: [UInt8]
            if let earlier = known[object.key], earlier.status == object { json = earlier.json } else { json = Self.encode(object) }
            objects[object.key] = (object, json)
            if index > 0 { list.append(UInt8(ascii: ",")) }
            list += json
        }
        list.append(UInt8(ascii: "]"))
        state.withLock { $0.objects = objects }
        var rest = document
        rest.objects = []
        let outer = Self.encode(rest)
        let marker = Array(#""objects":[]"#.utf8)
        guard let range = Self.lastRange(of: marker, in: outer) else { return ByteBuffer(bytes: Self.encode(document)) }
        var body = ByteBuffer()
        body.reserveCapacity(outer.count + list.count)
        body.writeBytes(outer[..<range.lowerBound])
        body.writeBytes(marker.dropLast(2))
        body.writeBytes(list)
        body.writeBytes(outer[range.upperBound...])
        return body
    }

    private static func lastRange(of marker: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard bytes.count >= marker.count else { return nil }
        for start in stride(from: bytes.count - marker.count, through: 0, by: -1) where bytes[start..<(start + marker.count)].elementsEqual(marker) {
            return start..<(start + marker.count)
        }
        return nil
    }

    private static func encode(_ value: some Encodable) -> [UInt8] {
        Array(try! StatusDocument.jsonEncoder(pretty: false).encode(value))
    }
}
