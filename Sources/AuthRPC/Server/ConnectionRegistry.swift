import NIOCore
import Synchronization

/// The open connections, so the server can refuse one too many at accept
/// (SPEC §3 `AUTHRPC_MAX_CONNECTIONS`), drain them all at shutdown and learn, without
/// polling, when the last one has closed.
/// Touched once per accept and once per close, never per request.
final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        /// The most connections open at once since memory was last given back.
        var peak = 0
        /// Connections admitted, and refused at the limit, since start (for metrics).
        var accepted = 0
        var refused = 0
        /// Who waits for the last connection to close (`waitUntilEmpty`), by ticket.
        var emptyWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextTicket = 0
    }

    private let maxConnections: Int
    private let state = Mutex(State())
    /// Where memory is given back, off the event loops.
    private let background: BackgroundWork

    init(maxConnections: Int, background: BackgroundWork) {
        self.maxConnections = maxConnections
        self.background = background
    }

    /// Registers `channel` unless the limit is reached; it leaves the registry when it closes.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = state.withLock { state -> Bool in
            guard state.open.count < maxConnections else {
                state.refused += 1
                return false
            }
            state.accepted += 1
            state.open[key] = channel
            state.peak = max(state.peak, state.open.count)
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in self.remove(key) }
        }
        return admitted
    }

    /// When the open connections have halved since their peak (by at least 64: a flood
    /// going away, not ordinary churn), the buffers they held are free: give that memory
    /// back (`FreedMemory`), off the event loop.
    private func remove(_ key: ObjectIdentifier) {
        let (trim, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            state.open.removeValue(forKey: key)
            var waiters: [CheckedContinuation<Void, Never>] = []
            if state.open.isEmpty {
                waiters = Array(state.emptyWaiters.values)
                state.emptyWaiters.removeAll()
            }
            guard state.peak - state.open.count >= 64, state.open.count <= state.peak / 2 else { return (false, waiters) }
            state.peak = state.open.count
            return (true, waiters)
        }
        for waiter in waiters { waiter.resume() }
        if trim { background.submit { FreedMemory.release() } }
    }

    /// Returns true once no connection is open, or false when `timeout` passes first.
    func waitUntilEmpty(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { race in
            race.addTask { await self.untilEmpty(); return true }
            race.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await race.next() ?? false
            race.cancelAll()
            return first
        }
    }

    /// Suspends until no connection is open; returns early when cancelled.
    private func untilEmpty() async {
        let ticket = state.withLock { state -> Int in
            state.nextTicket += 1
            return state.nextTicket
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                // Under the lock: the last close, or the cancellation handler, sees the
                // waiter registered or knows it need not be.
                let resumeNow = state.withLock { state -> Bool in
                    if state.open.isEmpty || Task.isCancelled { return true }
                    state.emptyWaiters[ticket] = waiter
                    return false
                }
                if resumeNow { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.emptyWaiters.removeValue(forKey: ticket) }?.resume()
        }
    }

    var count: Int { state.withLock { $0.open.count } }

    var totals: (accepted: Int, refused: Int) { state.withLock { ($0.accepted, $0.refused) } }

    var all: [any Channel] { state.withLock { Array($0.open.values) } }
}
