import Logging
import ServiceLifecycle
import UnixSignals

/// Keeps `ServerTLS` current (SPEC §8): reads the files again on SIGHUP, and every
/// `reloadCheckInterval` to catch a renewal nobody signalled (cert-manager, a rotated
/// Kubernetes secret). Open connections are never touched.
public struct TLSReloader: Service {
    private let tls: ServerTLS
    private let trapSIGHUP: Bool

    /// `trapSIGHUP: false` only polls (tests, which share the process with other servers).
    public init(tls: ServerTLS, trapSIGHUP: Bool = true) {
        self.tls = tls
        self.trapSIGHUP = trapSIGHUP
    }

    public func run() async throws {
        let tls = self.tls, trapSIGHUP = self.trapSIGHUP
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if trapSIGHUP {
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) {
                            tls.reload(force: true, reason: "SIGHUP")
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: tls.settings.reloadCheckInterval)
                        if Task.isCancelled { break }
                        tls.reload(reason: "files changed")
                    }
                }
            }
        }
    }
}
