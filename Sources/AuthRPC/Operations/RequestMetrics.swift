import Atomics
import NIOCore
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Counts every request at the interception point (`CallInterceptor`) for
/// `authrpc_requests_total{method,status,error_type}`,
/// `authrpc_request_duration_seconds{method}` and `authrpc_inflight_requests` (SPEC §9).
///
/// The cost on the hot path: no lock and no shared cache line. Each thread that answers
/// requests (the event loops) has its own `Tally`, found through a pthread key, and is
/// the only writer of it; a counter goes up by a relaxed load and store, plain moves on
/// x86-64 and arm64. A scrape reads every tally with relaxed loads and sums them: it may
/// miss the increments of the last instants, never count one twice.
///
/// This is kept apart from swift-prometheus's own types because its `Histogram` takes a
/// lock on every observation, one lock all event loops would share for VerifyToken.
/// `MetricsEndpoint` folds these sums into the registry's counters and renders the
/// histogram in the same text format.
public final class RequestMetrics: CallInterceptor, @unchecked Sendable {
    // @unchecked: the counters are raw atomic storage (see `Tally`); the rest is immutable
    // or behind `tallies`' mutex.

    /// The layout of a tally: slot indices. Kept in the instance (plain integers), so the
    /// hot path touches no lazily initialised global.
    struct Layout {
        let statuses = RequestLabels.statuses.count
        let errorTypes = RequestLabels.errorTypes.count
        let methods = RequestLabels.methods.count
        let unknownMethod = RequestLabels.unknownMethod
        var requestSlots: Int { methods * statuses * errorTypes }
        /// Per method: one count per bucket (not cumulative), `+Inf`, then the sum in ns.
        let bounds = RequestLabels.durationBoundsNanos
        var durationStride: Int { bounds.count + 2 }
        /// Requests that reached `admit`, and of those the ones that `completed`.
        var admittedSlot: Int { requestSlots + methods * durationStride }
        var finishedSlot: Int { admittedSlot + 1 }
        var slotCount: Int { finishedSlot + 1 }
    }

    typealias Slot = UnsafeAtomic<Int64>.Storage

    /// One thread's counters. Only its own thread writes them; it owns their memory.
    final class Tally: @unchecked Sendable {
        // @unchecked: raw atomic storage, single writer, readers use atomic loads.
        let storage: UnsafeMutablePointer<Slot>
        let count: Int

        init(slots: Int) {
            count = slots
            storage = .allocate(capacity: slots)
            storage.initialize(repeating: .init(0), count: slots)
        }

        deinit {
            storage.deinitialize(count: count)
            storage.deallocate()
        }

        @inline(__always)
        func read(_ slot: Int) -> Int64 {
            UnsafeAtomic<Int64>(at: storage + slot).load(ordering: .relaxed)
        }
    }

    /// The one writer's increment: a relaxed load and store, no read-modify-write.
    @inline(__always)
    private static func add(_ storage: UnsafeMutablePointer<Slot>, _ slot: Int, _ amount: Int64 = 1) {
        let counter = UnsafeAtomic<Int64>(at: storage + slot)
        counter.store(counter.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// The thread's slot holds its tally's storage pointer, not the object: reading it
    /// costs no reference counting. `tallies` owns every tally for as long as this
    /// object lives, and the key goes with it.
    private let key: pthread_key_t
    private let tallies = Mutex<[Tally]>([])
    private let layout = Layout()
    // The layout's numbers, computed once, read on every request.
    private let statuses: Int, errorTypes: Int, unknownMethod: Int, requestSlots: Int
    private let durationStride: Int, admittedSlot: Int, finishedSlot: Int, slotCount: Int
    /// The histogram's bounds, in memory of their own (no array, so no reference counting).
    private let bounds: UnsafeMutablePointer<Int64>
    private let boundCount: Int

    public init() {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "pthread_key_create failed")
        self.key = key
        statuses = layout.statuses
        errorTypes = layout.errorTypes
        unknownMethod = layout.unknownMethod
        requestSlots = layout.requestSlots
        durationStride = layout.durationStride
        admittedSlot = layout.admittedSlot
        finishedSlot = layout.finishedSlot
        slotCount = layout.slotCount
        boundCount = layout.bounds.count
        bounds = .allocate(capacity: boundCount)
        bounds.initialize(from: layout.bounds, count: boundCount)
    }

    deinit {
        pthread_key_delete(key)
        bounds.deallocate()
    }

    /// This thread's counters, made on its first request (then one `pthread_getspecific`).
    @inline(__always)
    private func storage() -> UnsafeMutablePointer<Slot> {
        if let raw = pthread_getspecific(key) { return raw.assumingMemoryBound(to: Slot.self) }
        let made = Tally(slots: slotCount)
        tallies.withLock { $0.append(made) }
        pthread_setspecific(key, UnsafeMutableRawPointer(made.storage))
        return made.storage
    }

    // MARK: CallInterceptor

    public func admit(_ call: Call, request: Request) -> Response? {
        Self.add(storage(), admittedSlot)
        return nil
    }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        let storage = storage()
        let method = call.method?.rawValue ?? unknownMethod
        let errorType = answer.errorType.isEmpty ? 0 : RequestLabels.errorType(answer.errorType)
        Self.add(storage, (method * statuses + Int(answer.status.rawValue)) * errorTypes + errorType)
        let nanos = max(duration.nanoseconds, 0)
        var bucket = 0
        while bucket < boundCount && nanos > bounds[bucket] { bucket += 1 }
        let base = requestSlots + method * durationStride
        Self.add(storage, base + bucket)
        Self.add(storage, base + durationStride - 1, nanos)
        if admitted { Self.add(storage, finishedSlot) }
    }

    // MARK: reading, at scrape time

    /// What every thread counted so far, summed.
    struct Totals {
        /// `(method, status, errorType)` label indices → requests; only non-zero ones.
        var requests: [(method: Int, status: Int, errorType: Int, count: Int64)] = []
        /// Per method index: bucket counts (not cumulative, `+Inf` last) and the sum in ns;
        /// only methods with at least one request.
        var durations: [(method: Int, buckets: [Int64], sumNanos: Int64)] = []
        var inflight: Int64 = 0
    }

    func totals() -> Totals {
        let all = tallies.withLock { $0 }
        var sums = [Int64](repeating: 0, count: slotCount)
        for tally in all {
            for slot in 0..<slotCount { sums[slot] &+= tally.read(slot) }
        }
        var totals = Totals()
        for slot in 0..<requestSlots where sums[slot] > 0 {
            let errorType = slot % errorTypes
            let status = (slot / errorTypes) % statuses
            let method = slot / (errorTypes * statuses)
            totals.requests.append((method, status, errorType, sums[slot]))
        }
        for method in 0..<layout.methods {
            let base = requestSlots + method * durationStride
            let buckets = Array(sums[base..<(base + durationStride - 1)])
            guard buckets.contains(where: { $0 > 0 }) else { continue }
            totals.durations.append((method, buckets, sums[base + durationStride - 1]))
        }
        // The two sums are read an instant apart: a request that came and went in between
        // could make the difference -1 for one scrape.
        totals.inflight = max(0, sums[admittedSlot] - sums[finishedSlot])
        return totals
    }
}
