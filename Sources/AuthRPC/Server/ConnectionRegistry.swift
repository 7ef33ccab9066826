import NIOCore
import Synchronization

/// The open connections, so the server can refuse one too many at accept
/// (SPEC §3 `AUTHRPC_MAX_CONNECTIONS`) and drain them all at shutdown.
/// Touched once per accept and once per close, never per request.
final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        /// The most connections open at once since memory was last given back.
        var peak = 0
        /// Connections admitted, and refused at the limit, since start (for metrics).
        var accepted = 0
        var refused = 0
    }

    private let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) { self.maxConnections = maxConnections }

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
        let trim = state.withLock { state -> Bool in
            state.open.removeValue(forKey: key)
            guard state.peak - state.open.count >= 64, state.open.count <= state.peak / 2 else { return false }
            state.peak = state.open.count
            return true
        }
        if trim { Task.detached(priority: .background) { FreedMemory.release() } }
    }

    var count: Int { state.withLock { $0.open.count } }

    var totals: (accepted: Int, refused: Int) { state.withLock { ($0.accepted, $0.refused) } }

    var all: [any Channel] { state.withLock { Array($0.open.values) } }
}
