import CoreMetrics
import CognitoIdentity
public import Prometheus

/// The metrics of SPEC §9 that are recorded as they happen, through swift-metrics on a
/// private swift-prometheus registry (not the process-wide bootstrap, so tests can run
/// several servers in one process): Cognito calls and rate-limit refusals, both far
/// from the VerifyToken path. Request counts live in `RequestMetrics`; the rest (cache,
/// keys, connections) is read when scraped (`MetricsEndpoint`).
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// nil with `AUTHRPC_METRICS=off`: requests pass no metrics interceptor at all.
    public let requests: RequestMetrics?
    public let cognito: CognitoMetrics
    public let rateLimited: RateLimitedCounters

    public init(recordRequests: Bool = true, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[CognitoMetrics.durationName] = CognitoMetrics.durationBuckets
        self.factory = factory
        self.requests = recordRequests ? RequestMetrics() : nil
        self.cognito = CognitoMetrics(factory: factory)
        self.rateLimited = RateLimitedCounters(factory: factory)
    }
}

/// `authrpc_cognito_requests_total{operation,outcome}` and
/// `authrpc_cognito_request_duration_seconds{operation}`: one HTTP attempt each (a retried
/// call counts every attempt). Handles are made once per label pair, up front.
public struct CognitoMetrics: Sendable {
    static let requestsName = "authrpc_cognito_requests_total"
    static let durationName = "authrpc_cognito_request_duration_seconds"
    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// What became of one attempt; a fixed set.
    enum Outcome: String, CaseIterable {
        /// HTTP 200 with a JSON object.
        case ok
        /// Cognito refused the request (a 4xx exception other than throttling).
        case rejected
        /// TooManyRequestsException, LimitExceededException, or HTTP 429.
        case throttled
        /// HTTP 5xx.
        case serverError = "server_error"
        /// No answer: refused, unresolvable, reset.
        case unreachable
        /// The Cognito timeout, or the request's own deadline, ran out.
        case timeout
        /// An answer that is not usable (not JSON, too large).
        case badResponse = "bad_response"
    }

    private let counters: [String: [CoreMetrics.Counter]]
    private let timers: [String: CoreMetrics.Timer]

    init(factory: any MetricsFactory) {
        var counters: [String: [CoreMetrics.Counter]] = [:], timers: [String: CoreMetrics.Timer] = [:]
        for operation in CognitoOperations.names {
            counters[operation] = Outcome.allCases.map {
                CoreMetrics.Counter(label: Self.requestsName, dimensions: [("operation", operation), ("outcome", $0.rawValue)],
                                    factory: factory)
            }
            timers[operation] = CoreMetrics.Timer(label: Self.durationName, dimensions: [("operation", operation)],
                                                  factory: factory)
        }
        self.counters = counters
        self.timers = timers
    }

    func record(_ operation: String, _ outcome: Outcome, duration: Duration) {
        guard let index = Outcome.allCases.firstIndex(of: outcome) else { return }
        counters[operation]?[index].increment()
        let (seconds, attoseconds) = duration.components
        timers[operation]?.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// `authrpc_rate_limited_total{kind}`: requests refused by a limit of SPEC §8 (or the
/// Cognito client's own bound), by which limit.
public struct RateLimitedCounters: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Sign-in attempts per username (`AUTHRPC_SIGNIN_RATE`).
        case signIn = "signin"
        /// Account calls per caller (`AUTHRPC_CALLER_RATE`).
        case caller
        /// The caller's share of the Cognito calls in flight (`CognitoShare`).
        case cognitoShare = "cognito_share"
        /// The Cognito client's bound on calls in flight (`AUTHRPC_COGNITO_MAX_INFLIGHT`).
        case cognitoInflight = "cognito_inflight"
    }

    private let counters: [CoreMetrics.Counter]

    init(factory: any MetricsFactory) {
        counters = Kind.allCases.map {
            CoreMetrics.Counter(label: "authrpc_rate_limited_total", dimensions: [("kind", $0.rawValue)], factory: factory)
        }
    }

    public func record(_ kind: Kind) {
        guard let index = Kind.allCases.firstIndex(of: kind) else { return }
        counters[index].increment()
    }
}
