import Histogram

/// The outcome of one load run: throughput and the latency distribution.
public struct LoadReport: Sendable {
    public var elapsedSeconds: Double
    public var sent: Int
    public var answered: Int
    /// Requests sent but never answered (the connection closed or the drain timed out).
    public var lost: Int
    public var connectionErrors: Int
    /// Answers other than the one their request was made for (`RequestTemplate.expectedErrorType`).
    public var unexpected: Int
    public var outcomes: [String: Int]
    public var latency: Histogram<UInt64>
    public var connections: Int
    public var depth: Int?
    public var rate: Double?

    public var throughput: Double { elapsedSeconds > 0 ? Double(answered) / elapsedSeconds : 0 }

    /// Latency at `percentile` in microseconds.
    public func micros(_ percentile: Double) -> Double { Double(latency.valueAtPercentile(percentile)) / 1000 }
    public var maxMicros: Double { Double(latency.max) / 1000 }
    /// Mean and standard deviation in microseconds: beside the percentiles, they show
    /// whether a tail is a few outliers or a spread-out distribution.
    public var meanMicros: Double { latency.totalCount > 0 ? latency.mean / 1000 : 0 }
    public var stdevMicros: Double { latency.totalCount > 0 ? latency.stdDeviation / 1000 : 0 }

    public var text: String {
        var lines = [
            String(format: "requests: %d answered, %d sent, %d lost, %d connection errors, %d unexpected answers in %.2f s",
                   answered, sent, lost, connectionErrors, unexpected, elapsedSeconds),
            String(format: "throughput: %.0f requests/s over %d connections, %@", throughput, connections,
                   rate.map { String(format: "open loop at %.0f/s", $0) } ?? "depth \(depth ?? 0)"),
            String(format: "latency (us): mean %.1f  stdev %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f",
                   meanMicros, stdevMicros, micros(50), micros(90), micros(99), micros(99.9), maxMicros),
        ]
        for (outcome, count) in outcomes.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(outcome): \(count)")
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let outcomeJSON = outcomes.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return String(format: """
            {"elapsed_seconds": %.3f, "sent": %d, "answered": %d, "lost": %d, "connection_errors": %d, \
            "unexpected": %d, "throughput_rps": %.1f, "connections": %d, "depth": %d, "rate": %.1f, \
            "latency_us": {"mean": %.1f, "stdev": %.1f, "p50": %.1f, "p90": %.1f, "p99": %.1f, "p99_9": %.1f, "max": %.1f}, \
            "outcomes": {%@}}
            """, elapsedSeconds, sent, answered, lost, connectionErrors, unexpected, throughput, connections, depth ?? 0,
            rate ?? 0, meanMicros, stdevMicros, micros(50), micros(90), micros(99), micros(99.9), maxMicros, outcomeJSON)
    }
}
