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
    private var queue = CircularBuffer<(entry: Entry, bytes: Int)>(initialCapacity: 1024)
    /// Queued bytes, those being written included.
    private var queuedBytes = 0
    private var settings: [String: PredictionLogSettings] = [:]
    private var writerState = WriterState.working
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)
    private var thread: Thread?
    /// The hashing key and when it was last tried: the writer thread's alone.
    private var key: (result: Result<PredictionLogKey, PredictionLogKeyError>, at: Int64)?

    /// What the writer thread is doing, so that a submission wakes it only when it must:
    /// waking it for every record would cost a context switch per request.
    private enum WriterState {
        case working
        /// Waiting `nap` after a batch for more records to gather; woken early only when
        /// the queue is filling up.
        case napping
        /// The queue was empty: waiting for the next record.
        case idle
    }

    /// Memory a queued entry takes besides its own bytes: its place in the queue, and in
    /// the writer's batch (the two swap).
    private static let entryOverhead = 2 * MemoryLayout<(entry: Entry, bytes: Int)>.stride

    /// How long the writer lets records gather after a batch: a few hundred wake-ups a
    /// second at most, whatever the traffic, and records on disk within milliseconds.
    static let nap: TimeInterval = 0.005

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
    func submit(_ entry: Entry, bytes entryBytes: Int) -> Bool {
        let bytes = entryBytes + Self.entryOverhead
        condition.lock()
        guard !stopping, queuedBytes + bytes <= configuration.queueBytes else {
            condition.unlock()
            counters.count(entry.kind, model: entry.model, .dropped)
            return false
        }
        queue.append((entry, bytes))
        queuedBytes += bytes
        let wake = writerState == .idle || (writerState == .napping && queuedBytes >= configuration.queueBytes / 4)
        if wake {
            writerState = .working
            condition.signal()
        }
        condition.unlock()
        return true
    }

    /// The log's metrics: its counters and the queue's depth now.
    func prometheus() -> String {
        condition.lock()
        let (records, bytes) = (queue.count, queuedBytes)
        condition.unlock()
        return counters.prometheus(queueRecords: records, queueBytes: bytes)
    }

    // MARK: - The writer thread

    private func runWriter() {
        Self.yieldToEventLoops()
        var writers = SegmentWriters(state: configuration.state)
        var batch = CircularBuffer<(entry: Entry, bytes: Int)>(initialCapacity: 1024)
        var wrote = false
        while true {
            condition.lock()
            if wrote && !stopping {
                writerState = .napping
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.nap))
            }
            while queue.isEmpty && !stopping {
                writerState = .idle
                if !condition.wait(until: Date(timeIntervalSinceNow: 1)) { break }
            }
            writerState = .working
            let done = stopping && queue.isEmpty
            // The whole queue at once; its bytes stay counted until written, so memory stays bounded.
            swap(&queue, &batch)
            let settings = settings
            condition.unlock()

            var now = Self.milliseconds()
            var progress = Progress()
            wrote = !batch.isEmpty
            // Each entry is let go once written, and a large batch (a slow disk) reports as it
            // goes, so that its memory is given back to the queue while it is being written.
            while let (entry, bytes) = batch.popFirst() {
                progress.tally.add(entry.kind, model: entry.model, write(entry, now: now, settings: settings, writers: &writers))
                progress.bytes += bytes
                if configuration.writeDelayMicroseconds > 0 { usleep(UInt32(configuration.writeDelayMicroseconds)) }
                if progress.bytes >= configuration.queueBytes / 64 {
                    report(&progress)
                    now = Self.milliseconds()
                }
            }
            flush(&writers, now: now, settings: settings, closeAll: done)
            report(&progress)
            if done { break }
        }
        stopped.signal()
    }

    /// Runs the calling thread as a batch thread (Linux `SCHED_BATCH`): the scheduler does
    /// not let it preempt the event loops when it wakes, so that on a machine with few
    /// cores its writing waits for a loop's turn instead of delaying an answer. It still gets
    /// its fair share of the CPU.
    private static func yieldToEventLoops() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        let schedBatch: Int32 = 3  // SCHED_BATCH in <sched.h>, which Glibc's module leaves out (it needs _GNU_SOURCE)
        _ = pthread_setschedparam(pthread_self(), schedBatch, &parameters)
        #endif
    }

    /// What the writer did since it last reported it.
    private struct Progress {
        var tally = PredictionLogCounters.Tally()
        /// The queue's bytes of the entries done.
        var bytes = 0
    }

    /// Counts the results and gives the entries' bytes back to the queue.
    private func report(_ progress: inout Progress) {
        progress.tally.add(to: counters)
        if progress.bytes > 0 {
            condition.lock()
            queuedBytes -= progress.bytes
            condition.unlock()
        }
        progress = Progress()
    }

    private func write(_ entry: Entry, now: Int64, settings: [String: PredictionLogSettings], writers: inout SegmentWriters) -> PredictionLogCounters.Result {
        let kind = entry.kind == .prediction ? SegmentKind.predictions : .feedback
        // A record to rewrite is decoded before any segment is touched: a record that cannot
        // be decoded is its own failure, never its segment's.
        var rewritten: PredictionRecord?
        if case .prediction(let exchange) = entry, let hashed = settings[entry.model]?.hashedInputs {
            guard let record = redacted(exchange, hashed) else { return .failed }
            rewritten = record
        }
        do throws(SegmentError) {
            let writer = try writers.writer(kind: kind, model: entry.model, policy: policy(settings[entry.model] ?? PredictionLogSettings()))
            switch entry {
            case .prediction(let exchange):
                if let rewritten {
                    try writer.append(rewritten, now: now)
                } else {
                    try exchange.append(to: writer, now: now)
                }
            case .feedback(_, let record): try writer.append(record, now: now)
            }
            return .written
        } catch {
            writers.remove(kind: kind, model: entry.model)
            logger.warning("cannot write the prediction log", metadata: ["model": "\(entry.model)", "error": "\(error)"])
            return .failed
        }
    }

    /// The exchange with its classified inputs hashed, or without its bodies when they
    /// cannot be (counted): never in clear. Nil when not even its fields can be read.
    private func redacted(_ exchange: LoggedExchange, _ hashed: HashedInputs) -> PredictionRecord? {
        let payload = exchange.payload
        var record: PredictionRecord
        do throws(SegmentError) {
            record = try PredictionRecord(decoding: payload)
        } catch {
            logger.warning("cannot decode a logged exchange: it is logged without its bodies", metadata: ["model": "\(exchange.model)", "error": "\(error)"])
            do throws(SegmentError) {
                record = try PredictionRecord(fieldsOf: payload)
            } catch {
                return nil
            }
            counters.requestLeftOut(model: exchange.model)
            return record
        }
        let outcome: ClassifiedRedaction.Outcome
        switch hashingKey() {
        case .success(let key): outcome = ClassifiedRedaction(inputs: hashed, key: key).redact(&record)
        case .failure:
            ClassifiedRedaction.dropBodies(&record)
            outcome = .bodyDropped
        }
        if outcome == .bodyDropped { counters.requestLeftOut(model: exchange.model) }
        return record
    }

    /// The key classified inputs are hashed with, read or made on first use (on the
    /// writer thread); a failure is logged once and tried again after a minute.
    private func hashingKey() -> Result<PredictionLogKey, PredictionLogKeyError> {
        let now = Self.milliseconds()
        if let key, case .success = key.result { return key.result }
        if let key, now - key.at < 60_000 { return key.result }
        let result = Result { () throws(PredictionLogKeyError) in try PredictionLogKey.loadOrCreate(state: configuration.state) }
        if case .failure(let error) = result {
            logger.error("cannot hash classified inputs: their requests are logged without bodies", metadata: ["error": "\(error)"])
        }
        key = (result, now)
        return result
    }

    /// Writes buffered frames; closes segments past their age, applies retention every
    /// ten seconds per directory, and closes everything when stopping.
    private func flush(_ writers: inout SegmentWriters, now: Int64, settings: [String: PredictionLogSettings], closeAll: Bool) {
        for (key, writer) in writers.all {
            do throws(SegmentError) {
                if closeAll {
                    try writer.closeSegment()
                    continue
                }
                writer.policy = policy(settings[key.model] ?? PredictionLogSettings())
                try writer.flush()
                try writer.rotateIfDue(now: now)
                if writers.retentionDue(key, now: now) { try writer.enforceRetention(now: now) }
            } catch {
                writers.remove(kind: key.kind, model: key.model)
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
