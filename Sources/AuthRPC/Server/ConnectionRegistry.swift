import NIOCore
import Synchronization

/// The open connections, so the server can refuse one too many at accept
/// (SPEC §3 `AUTHRPC_MAX_CONNECTIONS`) and drain them all at shutdown.
/// Touched once per accept and once per close, never per request.
final class ConnectionRegistry: Sendable {
    private let maxConnections: Int
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// Registers `channel` unless the limit is reached; it leaves the registry when it closes.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = channels.withLock { open -> Bool in
            guard open.count < maxConnections else { return false }
            open[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in
                _ = self.channels.withLock { $0.removeValue(forKey: key) }
            }
        }
        return admitted
    }

    var count: Int { channels.withLock { $0.count } }

    var all: [any Channel] { channels.withLock { Array($0.values) } }
}
