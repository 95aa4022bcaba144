import Foundation
import Logging
import NIOCore
import SextantWire

/// The gateway's prediction log and feedback store (DESIGN §7): a bounded queue that the
/// event loops append to, drained by a writer thread of its own (never an event loop, never
/// the cooperative pool) into segment files under `STATE/predictions/MODEL/` and
/// `STATE/feedback/MODEL/`. A full queue drops the record and counts it: logging never
/// delays or fails a request.
public final class PredictionLog: @unchecked Sendable {
    /// Where and how much.
    public struct Configuration: Sendable {
        /// The state directory.
        public var state: String
        /// The most bytes of records waiting for the writer (bodies included).
        public var queueBytes: Int
        /// Segments are closed at this size or age; retention comes from each model's settings.
        public var rotateBytes: Int
        public var rotateMilliseconds: Int64
        /// A pause per record written, to stand for a slow disk (benchmarks and tests only).
        public var writeDelayMicroseconds: Int

        public init(state: String, queueBytes: Int = 64 << 20, rotateBytes: Int = 64 << 20, rotateMilliseconds: Int64 = 60_000,
                    writeDelayMicroseconds: Int = 0) {
            self.state = state
            self.queueBytes = queueBytes
            self.rotateBytes = rotateBytes
            self.rotateMilliseconds = rotateMilliseconds
            self.writeDelayMicroseconds = writeDelayMicroseconds
        }
    }

    enum Entry: Sendable {
        case prediction(LoggedExchange)
        case feedback(model: String, FeedbackRecord)

        var model: String {
            switch self {
            case .prediction(let exchange): exchange.model
            case .feedback(let model, _): model
            }
        }

        var kind: PredictionLogCounters.Kind {
            if case .prediction = self { .prediction } else { .feedback }
        }
    }

    let configuration: Configuration
    let counters = PredictionLogCounters()
    private let logger: Logger
    /// Guards everything below; the writer waits on it.
    private let condition = NSCondition()
    private var queue = CircularBuffer<(entry: Entry, bytes: Int)>()
    /// Queued bytes, those being written included.
    private var queuedBytes = 0
    private var settings: [String: PredictionLogSettings] = [:]
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)
    private var thread: Thread?

    init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in runWriter() }
        thread.name = "sextant-prediction-log"
        self.thread = thread
        thread.start()
    }

    /// Writes what is queued, closes the segments and stops the writer thread.
    func stop() {
        condition.lock()
        let running = thread != nil && !stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if running { stopped.wait() }
    }

    /// The models' settings from the routing table in force (retention and size).
    func update(_ table: RoutingTable) {
        condition.lock()
        settings = table.models.mapValues { $0.log ?? PredictionLogSettings() }
        condition.unlock()
    }

    /// Queues an entry; false (and counted as dropped) when the queue cannot take its bytes.
    @discardableResult
    func submit(_ entry: Entry, bytes: Int) -> Bool {
        condition.lock()
        guard !stopping, queuedBytes + bytes <= configuration.queueBytes else {
            condition.unlock()
            counters.count(entry.kind, model: entry.model, .dropped)
            return false
        }
        queue.append((entry, bytes))
        queuedBytes += bytes
        let wake = queue.count == 1
        counters.queue(records: queue.count, bytes: queuedBytes)
        if wake { condition.signal() }
        condition.unlock()
        return true
    }

    // MARK: - The writer thread

    private struct Writers {
        var segments: [String: SegmentWriter] = [:]
        var lastRetention: [String: Int64] = [:]
    }

    private func runWriter() {
        var writers = Writers()
        var batch: [(entry: Entry, bytes: Int)] = []
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                if !condition.wait(until: Date(timeIntervalSinceNow: 1)) { break }
            }
            let done = stopping && queue.isEmpty
            // A batch at a time: the bytes stay counted until written, so memory stays bounded.
            while let first = queue.first, batch.count < 256 {
                batch.append(first)
                queue.removeFirst()
            }
            let settings = settings
            condition.unlock()

            let now = Self.milliseconds()
            var written = 0
            for (entry, bytes) in batch {
                write(entry, now: now, settings: settings, writers: &writers)
                written += bytes
                if configuration.writeDelayMicroseconds > 0 { usleep(UInt32(configuration.writeDelayMicroseconds)) }
            }
            let hadBatch = !batch.isEmpty
            batch.removeAll(keepingCapacity: true)
            flush(&writers, now: now, settings: settings, closeAll: done)
            if hadBatch {
                condition.lock()
                queuedBytes -= written
                counters.queue(records: queue.count, bytes: queuedBytes)
                condition.unlock()
            }
            if done { break }
        }
        stopped.signal()
    }

    private func write(_ entry: Entry, now: Int64, settings: [String: PredictionLogSettings], writers: inout Writers) {
        let key = (entry.kind == .prediction ? SegmentKind.predictions : .feedback).directoryName + "/" + entry.model
        do throws(SegmentError) {
            let writer: SegmentWriter
            if let known = writers.segments[key] {
                writer = known
            } else {
                writer = try SegmentWriter(directory: configuration.state + "/" + key, kind: entry.kind == .prediction ? .predictions : .feedback)
                writers.segments[key] = writer
            }
            writer.policy = policy(settings[entry.model] ?? PredictionLogSettings())
            switch entry {
            case .prediction(let exchange): try writer.append(payload: exchange.payload(), now: now)
            case .feedback(_, let record): try writer.append(record, now: now)
            }
            counters.count(entry.kind, model: entry.model, .written)
        } catch {
            counters.count(entry.kind, model: entry.model, .failed)
            writers.segments[key] = nil
            logger.warning("cannot write the prediction log", metadata: ["model": "\(entry.model)", "error": "\(error)"])
        }
    }

    /// Writes buffered frames; closes segments past their age, applies retention every
    /// ten seconds per directory, and closes everything when stopping.
    private func flush(_ writers: inout Writers, now: Int64, settings: [String: PredictionLogSettings], closeAll: Bool) {
        for (key, writer) in writers.segments {
            do throws(SegmentError) {
                if closeAll {
                    try writer.closeSegment()
                    continue
                }
                try writer.flush()
                try writer.rotateIfDue(now: now)
                if now - writers.lastRetention[key, default: 0] >= 10_000 {
                    writers.lastRetention[key] = now
                    let model = String(key.split(separator: "/", maxSplits: 1).last ?? "")
                    writer.policy = policy(settings[model] ?? PredictionLogSettings())
                    try writer.enforceRetention(now: now)
                }
            } catch {
                writers.segments[key] = nil
                logger.warning("cannot write the prediction log", metadata: ["directory": "\(writer.directory)", "error": "\(error)"])
            }
        }
    }

    private func policy(_ settings: PredictionLogSettings) -> SegmentPolicy {
        SegmentPolicy(rotateBytes: configuration.rotateBytes, rotateMilliseconds: configuration.rotateMilliseconds,
                      retentionMilliseconds: settings.retentionSeconds * 1000, maxBytes: settings.maxBytes)
    }

    static func milliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
