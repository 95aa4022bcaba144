import Foundation
import Hummingbird
import SextantCore
import SextantStore
import Synchronization

/// The JSON body of the whole status, made once per save: a client polling status every few
/// milliseconds costs a copy of the bytes, not an encoding of every object. Requests that
/// arrive while a save is encoded wait for that one encoding, and an object whose status
/// did not change since the last save keeps its bytes, copied from the last body.
final class StatusBody: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var body: Task<ByteBuffer, Never>?
        var last: Encoded?
    }

    /// A body and where each object's JSON is in it. The objects are the saved document's
    /// (the same storage, not a copy): what is kept beyond the body is one range per object.
    private struct Encoded {
        var objects: [ObjectStatus]
        var parts: [Range<Int>]
        var body: ByteBuffer
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
        var rest = document
        rest.objects = []
        let outer = Self.encode(rest)
        let marker = Array(#""objects":[]"#.utf8)
        guard let range = Self.lastRange(of: marker, in: outer) else { return ByteBuffer(bytes: Self.encode(document)) }
        let last = state.withLock { $0.last }
        var body = ByteBuffer()
        body.reserveCapacity(outer.count + (last?.body.readableBytes ?? 0))
        body.writeBytes(outer[..<range.lowerBound])
        body.writeBytes(marker.dropLast(1))
        var parts: [Range<Int>] = []
        parts.reserveCapacity(document.objects.count)
        var reuse = Reuse(last)
        for (index, object) in document.objects.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            let start = body.writerIndex
            if let earlier = reuse.bytes(of: object) { body.writeImmutableBuffer(earlier) } else { body.writeBytes(Self.encode(object)) }
            parts.append(start..<body.writerIndex)
        }
        body.writeBytes(outer[(range.upperBound - 1)...])
        state.withLock { $0.last = Encoded(objects: document.objects, parts: parts, body: body) }
        return body
    }

    /// The last body's bytes of objects that did not change, found by walking both documents
    /// in key order (saved documents are sorted by key; an object out of order is encoded
    /// again, never given another one's bytes).
    private struct Reuse {
        private let last: Encoded?
        private var next = 0

        init(_ last: Encoded?) { self.last = last }

        mutating func bytes(of object: ObjectStatus) -> ByteBuffer? {
            guard let last else { return nil }
            let key = object.key
            while next < last.objects.count, last.objects[next].key < key { next += 1 }
            guard next < last.objects.count, last.objects[next].key == key, last.objects[next] == object else { return nil }
            let part = last.parts[next]
            return last.body.getSlice(at: part.lowerBound, length: part.count)
        }
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
