import CognitoIdentity
public import CurlHTTP
import Logging
import Synchronization

/// The account RPCs' side of Cognito (SPEC §5): bounded concurrency, the SECRET_HASH,
/// and the typed API client (`CognitoIdentityClient`) that does the calls and their
/// retries. Create one per process, after the shared `HTTPTransport`.
public final class CognitoClient: Sendable {
    let api: CognitoIdentityClient
    let clientID: String
    let clientSecret: Secret?
    let timeout: Duration
    let logger: Logger
    /// Failures callers can provoke at will, written at most about once a second.
    let warnings: RateLimitedWarnings
    let limiter: ConcurrencyLimiter
    /// Each attempt's outcome and duration, and refusals at the concurrency bound (SPEC §9).
    let metrics: ServiceMetrics?
    /// Where the calls run, off the event loops.
    let background: BackgroundWork

    /// - Parameters:
    ///   - transport: shared with the JWKS fetcher: the application creates one `CurlHTTPTransport`.
    ///   - logger: every line this client writes; never carries a secret.
    ///   - metrics: where calls are counted; nil counts nothing.
    ///   - background: runs the calls; the application's, under its `ServiceGroup`.
    public convenience init(config: ServiceConfig, transport: any HTTPTransport, logger: Logger,
                            metrics: ServiceMetrics? = nil, background: BackgroundWork) {
        self.init(config: config, transport: transport, logger: logger, retry: RetryPolicy(), metrics: metrics,
                  background: background)
    }

    init(config: ServiceConfig, transport: any HTTPTransport, logger: Logger, retry: RetryPolicy,
         metrics: ServiceMetrics? = nil, background: BackgroundWork) {
        let endpoint = config.cognitoEndpoint.isEmpty
            ? "https://cognito-idp.\(config.region).amazonaws.com/" : config.cognitoEndpoint
        var observe: CognitoIdentityClient.AttemptObserver?
        if let cognitoMetrics = metrics?.cognito {
            observe = { operation, failure, duration in
                cognitoMetrics.record(operation, CognitoMetrics.Outcome(failure), duration: duration)
            }
        }
        api = CognitoIdentityClient(endpoint: endpoint, connectTimeout: config.cognitoConnectTimeout,
                                    transport: transport, retry: retry, logger: logger, observeAttempt: observe)
        self.metrics = metrics
        clientID = config.primaryClientID
        clientSecret = config.clientSecret
        timeout = config.cognitoTimeout
        self.logger = logger
        self.background = background
        self.warnings = RateLimitedWarnings(logger: logger, background: background)
        limiter = ConcurrencyLimiter(limit: config.cognitoMaxInFlight)
    }

    /// Calls Cognito outstanding right now (for tests and Health-style reporting).
    public var inFlight: Int { limiter.current }

    /// SPEC §5 SECRET_HASH for `username`, or nil when the app client has no secret.
    func secretHash(username: String) -> String? {
        clientSecret.map { SecretHash.compute(secret: $0.reveal(), username: username, clientID: clientID) }
    }
}

/// Counts outstanding Cognito calls; beyond the limit a call is refused at once,
/// never queued (SPEC §5). Lock-free: one compare-and-swap to take a slot.
final class ConcurrencyLimiter: Sendable {
    private let count = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func tryAcquire() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { count.subtract(1, ordering: .releasing) }

    var current: Int { count.load(ordering: .relaxed) }
}

extension CognitoMetrics.Outcome {
    /// What became of one attempt: nil is an answer.
    init(_ failure: CognitoFailure?) {
        switch failure {
        case nil: self = .ok
        case .service(let name, _, let status, _)?:
            if CognitoFailure.throttlingNames.contains(name) || status == 429 {
                self = .throttled
            } else {
                self = status >= 500 ? .serverError : .rejected
            }
        case .unreachable?: self = .unreachable
        case .timedOut?, .deadlineExceeded?: self = .timeout
        case .badResponse?: self = .badResponse
        }
    }
}
