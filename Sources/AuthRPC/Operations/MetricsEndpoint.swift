import Prometheus
import Synchronization
public import TokenVerification

/// What `GET /metrics` answers (SPEC §9): every metric in Prometheus's text format.
///
/// Values kept elsewhere — request tallies, the verified-token cache, the JWKS caches,
/// the connection registry — are read here, once per scrape, and put into the
/// swift-prometheus registry (gauges set, counters advanced by what was added since the
/// last scrape); the registry then renders everything. The one exception is
/// `authrpc_request_duration_seconds`, rendered here in the same format from
/// `RequestMetrics` (see there why it is not a swift-prometheus `Histogram`).
public final class MetricsEndpoint: Sendable {
    /// Where the scrape-time values come from; each read is a few locks held for a copy.
    public struct Sources: Sendable {
        public var connectionsOpen: @Sendable () -> Int = { 0 }
        public var connectionTotals: @Sendable () -> (accepted: Int, refused: Int) = { (0, 0) }
        public var verifier: TokenVerifier?
        public var keys: JWKSRegistry?
        public var cognitoInflight: @Sendable () -> Int = { 0 }

        public init() {}
    }

    private let metrics: ServiceMetrics
    private let sources: Sources
    /// What each counter fed from elsewhere held at the last scrape; scrapes take turns.
    private let exported = Mutex<[String: Int64]>([:])

    public init(metrics: ServiceMetrics, sources: Sources, version: String = BuildInfo.version,
                commit: String = BuildInfo.commit) {
        self.metrics = metrics
        self.sources = sources
        metrics.registry.makeGauge(name: "authrpc_build_info", labels: [("version", version), ("commit", commit)],
                                   help: "Always 1; the labels say which build this is.").set(to: 1)
    }

    /// The text of one scrape.
    public func render() -> [UInt8] {
        let registry = metrics.registry
        let requests = metrics.requests?.totals()
        exported.withLock { last in
            func advance(_ name: String, _ labels: [(String, String)], to total: Int64, help: String) {
                let counter = registry.makeCounter(name: name, labels: labels, help: help)
                let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
                let added = total - last[key, default: 0]
                if added > 0 { counter.increment(by: added) }
                last[key] = max(total, last[key, default: 0])
            }
            func gauge(_ name: String, _ value: Double, labels: [(String, String)] = [], help: String) {
                registry.makeGauge(name: name, labels: labels, help: help).set(to: value)
            }

            if let requests {
                for entry in requests.requests {
                    advance("authrpc_requests_total", [
                        ("method", RequestLabels.methods[entry.method]),
                        ("status", RequestLabels.statuses[entry.status]),
                        ("error_type", RequestLabels.errorTypes[entry.errorType]),
                    ], to: entry.count, help: "Requests answered, by method, status and error_type.")
                }
                gauge("authrpc_inflight_requests", Double(requests.inflight),
                      help: "Requests admitted and not yet answered.")
            }

            gauge("authrpc_connections_open", Double(sources.connectionsOpen()), help: "Open RPC connections.")
            let connections = sources.connectionTotals()
            advance("authrpc_connections_total", [("result", "accepted")], to: Int64(connections.accepted),
                    help: "RPC connections accepted, or refused at the connection limit.")
            advance("authrpc_connections_total", [("result", "refused")], to: Int64(connections.refused),
                    help: "RPC connections accepted, or refused at the connection limit.")

            if let verifier = sources.verifier {
                let counts = verifier.cacheCounts
                advance("authrpc_verify_cache_hits_total", [], to: Int64(counts.hits),
                        help: "Verified-token cache lookups that found the token.")
                advance("authrpc_verify_cache_misses_total", [], to: Int64(counts.misses),
                        help: "Verified-token cache lookups that did not find the token.")
                gauge("authrpc_verify_cache_entries", Double(verifier.cacheUsage.entries),
                      help: "Entries in the verified-token cache.")
            }

            for cache in sources.keys?.caches ?? [] {
                let issuer = [("issuer", cache.issuer)]
                let status = cache.status
                gauge("authrpc_jwks_keys", Double(status.keys), labels: issuer, help: "Signing keys in use, by issuer.")
                gauge("authrpc_jwks_last_success_timestamp_seconds", Double(status.lastRefreshUnix), labels: issuer,
                      help: "Unix time of the last successful JWKS fetch, by issuer; 0 before the first.")
                let outcomes = cache.fetchOutcomes
                advance("authrpc_jwks_fetches_total", issuer + [("result", "success")], to: Int64(outcomes.succeeded),
                        help: "JWKS fetches finished, by issuer and result.")
                advance("authrpc_jwks_fetches_total", issuer + [("result", "failure")], to: Int64(outcomes.failed),
                        help: "JWKS fetches finished, by issuer and result.")
            }

            gauge("authrpc_cognito_inflight", Double(sources.cognitoInflight()),
                  help: "Account calls holding a slot of the Cognito concurrency bound.")
        }

        var out: [UInt8] = []
        out.reserveCapacity(16 << 10)
        registry.emit(into: &out)
        if let requests, !requests.durations.isEmpty { Self.renderDurations(requests.durations, into: &out) }
        return out
    }

    static let durationName = "authrpc_request_duration_seconds"

    /// A Prometheus histogram per method: cumulative buckets, `+Inf`, `_sum`, `_count`.
    static func renderDurations(_ durations: [(method: Int, buckets: [Int64], sumNanos: Int64)], into out: inout [UInt8]) {
        var text = "# HELP \(durationName) Time from a request's decoding to its answer, by method.\n"
        text += "# TYPE \(durationName) histogram\n"
        for entry in durations {
            let method = "method=\"\(RequestLabels.methods[entry.method])\""
            var cumulative: Int64 = 0
            for (index, count) in entry.buckets.enumerated() {
                cumulative += count
                let le = index < RequestLabels.durationBoundsNanos.count
                    ? seconds(RequestLabels.durationBoundsNanos[index]) : "+Inf"
                text += "\(durationName)_bucket{\(method),le=\"\(le)\"} \(cumulative)\n"
            }
            text += "\(durationName)_sum{\(method)} \(Double(entry.sumNanos) / 1e9)\n"
            text += "\(durationName)_count{\(method)} \(cumulative)\n"
        }
        out.append(contentsOf: text.utf8)
    }

    /// Nanoseconds as a decimal number of seconds, without exponent or trailing zeros.
    static func seconds(_ nanos: Int64) -> String {
        let whole = nanos / 1_000_000_000, fraction = nanos % 1_000_000_000
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
