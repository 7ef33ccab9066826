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
    // @unchecked: `key` is written once in init; tallies are only appended under `lock`.

    /// One thread's counters. Only its own thread writes them.
    final class Tally: @unchecked Sendable {
        // @unchecked: raw atomic storage, single writer, readers use atomic loads.
        static let methods = RequestLabels.methods.count
        static let statuses = RequestLabels.statuses.count
        static let errorTypes = RequestLabels.errorTypes.count
        static let requestSlots = methods * statuses * errorTypes
        /// Per method: one count per bucket (not cumulative), `+Inf`, then the sum in ns.
        static let durationStride = RequestLabels.durationBoundsNanos.count + 2
        static let durationSlots = methods * durationStride
        /// Requests that reached `admit`, and of those the ones that `completed`.
        static let admittedSlot = requestSlots + durationSlots
        static let finishedSlot = admittedSlot + 1
        static let slotCount = finishedSlot + 1

        let storage: UnsafeMutablePointer<UnsafeAtomic<Int64>.Storage>

        init() {
            storage = .allocate(capacity: Self.slotCount)
            storage.initialize(repeating: .init(0), count: Self.slotCount)
        }

        deinit {
            storage.deinitialize(count: Self.slotCount)
            storage.deallocate()
        }

        /// The one writer's increment: no read-modify-write instruction needed.
        @inline(__always)
        func add(_ slot: Int, _ amount: Int64 = 1) {
            let counter = UnsafeAtomic<Int64>(at: storage + slot)
            counter.store(counter.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
        }

        @inline(__always)
        func read(_ slot: Int) -> Int64 {
            UnsafeAtomic<Int64>(at: storage + slot).load(ordering: .relaxed)
        }
    }

    private var key = pthread_key_t()
    private let tallies = Mutex<[Tally]>([])

    public init() {
        // The slot holds an unretained reference: `tallies` owns every tally for as long
        // as this object lives, and the key goes with it.
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "pthread_key_create failed")
    }

    deinit { pthread_key_delete(key) }

    /// This thread's tally, made on its first request (then it is one `pthread_getspecific`).
    @inline(__always)
    private func tally() -> Tally {
        if let raw = pthread_getspecific(key) { return Unmanaged<Tally>.fromOpaque(raw).takeUnretainedValue() }
        let made = Tally()
        tallies.withLock { $0.append(made) }
        pthread_setspecific(key, Unmanaged.passUnretained(made).toOpaque())
        return made
    }

    // MARK: CallInterceptor

    public func admit(_ call: Call, request: Request) -> Response? {
        tally().add(Tally.admittedSlot)
        return nil
    }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        let tally = tally()
        let method = RequestLabels.method(call.method)
        let slot = (method * Tally.statuses + RequestLabels.status(answer.status)) * Tally.errorTypes
            + RequestLabels.errorType(answer.errorType)
        tally.add(slot)
        let nanos = max(duration.nanoseconds, 0)
        let base = Tally.requestSlots + method * Tally.durationStride
        tally.add(base + RequestLabels.bucket(nanoseconds: nanos))
        tally.add(base + Tally.durationStride - 1, nanos)
        if admitted { tally.add(Tally.finishedSlot) }
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
        var sums = [Int64](repeating: 0, count: Tally.slotCount)
        for tally in all {
            for slot in 0..<Tally.slotCount { sums[slot] &+= tally.read(slot) }
        }
        var totals = Totals()
        for slot in 0..<Tally.requestSlots where sums[slot] > 0 {
            let errorType = slot % Tally.errorTypes
            let status = (slot / Tally.errorTypes) % Tally.statuses
            let method = slot / (Tally.errorTypes * Tally.statuses)
            totals.requests.append((method, status, errorType, sums[slot]))
        }
        for method in 0..<Tally.methods {
            let base = Tally.requestSlots + method * Tally.durationStride
            let buckets = Array(sums[base..<(base + Tally.durationStride - 1)])
            guard buckets.contains(where: { $0 > 0 }) else { continue }
            totals.durations.append((method, buckets, sums[base + Tally.durationStride - 1]))
        }
        // The two sums are read an instant apart: a request that came and went in between
        // could make the difference -1 for one scrape.
        totals.inflight = max(0, sums[Tally.admittedSlot] - sums[Tally.finishedSlot])
        return totals
    }
}
