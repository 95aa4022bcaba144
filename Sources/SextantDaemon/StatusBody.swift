import Hummingbird
import SextantStore
import Synchronization

/// The JSON body of the whole status, encoded once per save: a client polling status every
/// few milliseconds costs a copy of the bytes, not an encoding of every object.
final class StatusBody: Sendable {
    private let encoded = Mutex<(generation: UInt64, bytes: ByteBuffer)?>(nil)

    /// The body of `saved`, from the cache when the same save was encoded before.
    func bytes(of saved: SavedStatus, encode: (SavedStatus) -> ByteBuffer) -> ByteBuffer {
        if let encoded = encoded.withLock({ $0 }), encoded.generation == saved.generation, saved.generation != 0 { return encoded.bytes }
        let bytes = encode(saved)
        // Generation 0 was read from the database, not saved by this process: not kept.
        if saved.generation != 0 { encoded.withLock { $0 = (saved.generation, bytes) } }
        return bytes
    }
}
