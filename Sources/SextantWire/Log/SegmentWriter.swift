#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends records of one kind for one model to segment files in `directory`: frames are
/// buffered and written at `flush()` or when the buffer is full, a segment is closed at
/// the policy's size or age and a new one started, and closed segments past the policy's
/// retention are deleted. One thread uses a writer at a time (the gateway's log writer
/// thread); readers may read its segments meanwhile (`SegmentReader`).
///
/// A writer never appends to a segment it did not create: after a restart it starts a new
/// one, so a torn last record of a killed writer stays at the end of a closed segment.
public final class SegmentWriter {
    public let directory: String
    public let kind: SegmentKind
    public var policy: SegmentPolicy
    private var file: Int32 = -1
    private var current: (name: String, opened: Int64)?
    private var currentBytes = 0
    private var pending: [UInt8] = []
    private var lastName: String?
    private var sequence = 0
    private static let bufferLimit = 1 << 20

    /// Creates the directory (and its parents) when missing.
    public init(directory: String, kind: SegmentKind, policy: SegmentPolicy = SegmentPolicy()) throws(SegmentError) {
        self.directory = directory
        self.kind = kind
        self.policy = policy
        try Self.makeDirectories(directory)
        lastName = try SegmentDirectory.segmentNames(in: directory).last
        if let lastName, let parsed = SegmentFormat.parse(name: lastName) { sequence = parsed.sequence + 1 }
    }

    deinit {
        if file >= 0 {
            if !pending.isEmpty { _ = pending.withUnsafeBytes { Self.writeAll(file, $0) } }
            close(file)
        }
    }

    /// The segment being written (nil before the first record).
    public var currentSegment: String? { current?.name }

    /// Appends one record; `now` in milliseconds since 1970. The bytes reach the file at the
    /// next `flush()` at the latest.
    public func append(_ record: some SegmentRecord, now: Int64) throws(SegmentError) {
        try append(payload: record.encoded(), now: now)
    }

    /// Appends one frame around an encoded record's payload.
    public func append(payload: [UInt8], now: Int64) throws(SegmentError) {
        let appended = payload.withUnsafeBytes { payload in Result { () throws(SegmentError) in try append(payload: payload, now: now) } }
        try appended.get()
    }

    /// Appends one frame around a payload of `first` followed by `second` (a record encoded
    /// in two buffers is framed without joining them first).
    public func append(payload first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                       now: Int64) throws(SegmentError) {
        let frameSize = SegmentFormat.frameHeaderSize + first.count + second.count
        if let current, currentBytes > SegmentFormat.headerSize,
           currentBytes + frameSize > policy.rotateBytes || now - current.opened >= policy.rotateMilliseconds {
            try closeSegment()
        }
        if current == nil { try openSegment(now: now) }
        SegmentFormat.appendFrame(first, second, to: &pending)
        currentBytes += frameSize
        if pending.count >= Self.bufferLimit { try flush() }
    }

    /// Writes the buffered frames to the file.
    public func flush() throws(SegmentError) {
        guard !pending.isEmpty, let current else { return }
        let written = pending.withUnsafeBytes { Self.writeAll(file, $0) }
        pending.removeAll(keepingCapacity: pending.count <= Self.bufferLimit * 2)
        if written != 0 { throw .io(path: directory + "/" + current.name, operation: "write", errno: written) }
    }

    /// Closes the segment when it is older than the policy allows, so that it becomes
    /// closed (and its records final to readers) even when no more records come.
    public func rotateIfDue(now: Int64) throws(SegmentError) {
        if let current, now - current.opened >= policy.rotateMilliseconds { try closeSegment() }
    }

    /// Deletes closed segments last written before `now - retention`, then the oldest
    /// closed ones while the directory holds more than `maxBytes`. Returns the names deleted.
    @discardableResult
    public func enforceRetention(now: Int64) throws(SegmentError) -> [String] {
        let names = try SegmentDirectory.segmentNames(in: directory)
        var sizes: [(name: String, bytes: Int64, modified: Int64)] = []
        for name in names {
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { continue }
            sizes.append((name, Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000))
        }
        var total = sizes.reduce(Int64(0)) { $0 + $1.bytes }
        var deleted: [String] = []
        for segment in sizes where segment.name != current?.name {
            let expired = now - segment.modified > policy.retentionMilliseconds
            guard expired || total > policy.maxBytes else { continue }
            if unlink(directory + "/" + segment.name) != 0 && errno != ENOENT {
                throw .io(path: directory + "/" + segment.name, operation: "delete", errno: errno)
            }
            total -= segment.bytes
            deleted.append(segment.name)
        }
        return deleted
    }

    /// Flushes and closes the segment being written.
    public func closeSegment() throws(SegmentError) {
        guard current != nil else { return }
        defer {
            close(file)
            file = -1
            current = nil
            currentBytes = 0
        }
        try flush()
    }

    private func openSegment(now: Int64) throws(SegmentError) {
        // Names sort by time even when the clock steps back.
        var time = now
        if let lastName, let last = SegmentFormat.parse(name: lastName), last.milliseconds > time { time = last.milliseconds }
        let name = SegmentFormat.name(milliseconds: time, sequence: sequence)
        sequence = (sequence + 1) % 1_000_000
        let path = directory + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        file = descriptor
        current = (name, now)
        lastName = name
        pending.append(contentsOf: SegmentFormat.header(kind: kind))
        currentBytes = SegmentFormat.headerSize
    }

    /// 0, or the errno of the write that failed.
    private static func writeAll(_ file: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let count = write(file, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return 0
    }

    static func makeDirectories(_ path: String) throws(SegmentError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .io(path: prefix, operation: "create the directory", errno: errno) }
        }
    }
}

/// The segment files of one model's directory.
public enum SegmentDirectory {
    /// Names of the segments in `directory`, oldest first; none when it does not exist.
    public static func segmentNames(in directory: String) throws(SegmentError) -> [String] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw .io(path: directory, operation: "list", errno: errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if SegmentFormat.parse(name: name) != nil { names.append(name) }
        }
        return names.sorted()
    }

    /// `STATE/predictions/MODEL` or `STATE/feedback/MODEL`.
    public static func path(state: String, kind: SegmentKind, model: String) -> String {
        state + "/" + kind.directoryName + "/" + model
    }
}
