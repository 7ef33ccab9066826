import Histogram
import Wire

/// Results gathered on one event loop. Connections on the same loop share one,
/// so there is one histogram per thread rather than per connection, and no lock.
/// Unchecked Sendable: after creation it is touched only on its event loop (the
/// handlers, then the final `submit` that reads it).
final class LoopStats: @unchecked Sendable {
    /// Latency in nanoseconds, 1 ns .. 60 s, 3 significant digits.
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                    numberOfSignificantValueDigits: .three)
    var sent = 0
    var answered = 0
    /// "OK", or "STATUS/error_type", with counts.
    var outcomes: [String: Int] = [:]
    var connectionErrors = 0
    /// Answers other than the one their template expected.
    var unexpected = 0

    func record(_ response: ResponseHead, latencyNanos: UInt64, expectedErrorType: String) {
        answered += 1
        if response.status == .ok ? !expectedErrorType.isEmpty : response.errorType != expectedErrorType {
            unexpected += 1
        }
        _ = latency.record(max(latencyNanos, 1))
        let key = response.status == .ok ? "OK" : "\(response.status)/\(response.errorType)"
        outcomes[key, default: 0] += 1
    }
}
