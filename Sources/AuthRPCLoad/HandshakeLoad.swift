import AuthRPCClient
import Foundation
import NIOCore

/// New TLS connections per second against a server: each of `concurrency` workers
/// connects, completes the TLS 1.3 handshake (full, no resumption), closes, and again.
/// The cost of a handshake is mostly on the two ends' public-key operations, so the
/// figure is bounded by whichever end has less CPU for it.
public enum HandshakeLoad {
    public struct Report: Sendable {
        public var handshakes: Int
        public var failures: Int
        public var elapsedSeconds: Double
        /// The first failure, for the one line that says why.
        public var firstFailure: String?

        public var perSecond: Double { elapsedSeconds > 0 ? Double(handshakes) / elapsedSeconds : 0 }

        public var text: String {
            String(format: "handshakes: %d in %.2f s = %.0f/s, %d failed", handshakes, elapsedSeconds, perSecond, failures)
                + (firstFailure.map { "\n  first failure: \($0)" } ?? "")
        }

        public var json: String {
            let failure = firstFailure.map { "\"\($0.replacingOccurrences(of: "\"", with: "'"))\"" } ?? "null"
            return String(format: "{\"handshakes\": %d, \"failures\": %d, \"elapsed_s\": %.3f, \"handshakes_per_s\": %.1f, \"first_failure\": %@}",
                          handshakes, failures, elapsedSeconds, perSecond, failure)
        }
    }

    public static func run(host: String, port: Int, tls: ClientTLS, concurrency: Int, duration: Duration,
                           group: any EventLoopGroup) async -> Report {
        let began = ContinuousClock.now
        let end = began + duration
        let results = await withTaskGroup(of: (Int, Int, String?).self) { tasks in
            for _ in 0..<max(concurrency, 1) {
                tasks.addTask {
                    var done = 0, failed = 0
                    var firstFailure: String?
                    while ContinuousClock.now < end {
                        do {
                            let connection = try await AuthRPCConnection.connect(host: host, port: port, group: group, tls: tls)
                            done += 1
                            await connection.close()
                        } catch {
                            failed += 1
                            if firstFailure == nil { firstFailure = "\(error)" }
                        }
                    }
                    return (done, failed, firstFailure)
                }
            }
            var total = (0, 0, String?.none)
            for await (done, failed, failure) in tasks {
                total.0 += done
                total.1 += failed
                total.2 = total.2 ?? failure
            }
            return total
        }
        let elapsed = ContinuousClock.now - began
        return Report(handshakes: results.0, failures: results.1,
                      elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                      firstFailure: results.2)
    }
}
