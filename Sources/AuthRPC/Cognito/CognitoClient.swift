public import CurlHTTP
import Foundation
import Logging
import NIOCore
import Wire

/// The Cognito IDP operations the service calls; none needs AWS credentials (SPEC §5).
enum CognitoOperation: String, Sendable, CaseIterable {
    case signUp = "SignUp"
    case confirmSignUp = "ConfirmSignUp"
    case resendConfirmationCode = "ResendConfirmationCode"
    case initiateAuth = "InitiateAuth"
    case respondToAuthChallenge = "RespondToAuthChallenge"
    case globalSignOut = "GlobalSignOut"
    case forgotPassword = "ForgotPassword"
    case confirmForgotPassword = "ConfirmForgotPassword"
}

/// Talks to the Cognito IDP JSON API (SPEC §5) for the account RPCs: bounded
/// concurrency, deadlines, retries of what cannot have run twice, and the
/// SECRET_HASH. Create one per process, after the shared `HTTPTransport`.
public final class CognitoClient: Sendable {
    let endpoint: String
    let clientID: String
    let clientSecret: Secret?
    let connectTimeout: Duration
    let timeout: Duration
    let transport: any HTTPTransport
    let logger: Logger
    /// Failures callers can provoke at will, written at most about once a second.
    let warnings: RateLimitedWarnings
    let limiter: ConcurrencyLimiter
    let retry: RetryPolicy
    /// Each attempt's outcome and duration, and refusals at the concurrency bound (SPEC §9).
    let metrics: ServiceMetrics?

    /// Cognito answers are small; anything longer is refused (SPEC §5 caps, 1 MiB).
    static let maxResponseBytes = 1 << 20

    /// - Parameters:
    ///   - transport: shared with the JWKS fetcher: the application creates one `CurlHTTPTransport`.
    ///   - logger: every line this client writes; never carries a secret.
    ///   - metrics: where calls are counted; nil counts nothing.
    public convenience init(config: ServiceConfig, transport: any HTTPTransport, logger: Logger,
                            metrics: ServiceMetrics? = nil) {
        self.init(config: config, transport: transport, logger: logger, retry: RetryPolicy(), metrics: metrics)
    }

    init(config: ServiceConfig, transport: any HTTPTransport, logger: Logger, retry: RetryPolicy,
         metrics: ServiceMetrics? = nil) {
        endpoint = config.cognitoEndpoint.isEmpty
            ? "https://cognito-idp.\(config.region).amazonaws.com/" : config.cognitoEndpoint
        clientID = config.primaryClientID
        clientSecret = config.clientSecret
        connectTimeout = config.cognitoConnectTimeout
        timeout = config.cognitoTimeout
        self.transport = transport
        self.logger = logger
        self.warnings = RateLimitedWarnings(logger: logger)
        limiter = ConcurrencyLimiter(limit: config.cognitoMaxInFlight)
        self.retry = retry
        self.metrics = metrics
    }

    /// Calls Cognito outstanding right now (for tests and Health-style reporting).
    public var inFlight: Int { limiter.current }

    /// SPEC §5 SECRET_HASH for `username`, or nil when the app client has no secret.
    func secretHash(username: String) -> String? {
        clientSecret.map { SecretHash.compute(secret: $0.reveal(), username: username, clientID: clientID) }
    }

    /// One Cognito operation, retried per SPEC §5 within `budget`. `payload` is the
    /// JSON request; the answer is the JSON object Cognito sent back.
    func invoke(_ operation: CognitoOperation, _ payload: [String: Any], budget: CallBudget,
                redactor: Redactor, requestID: UInt64) async -> Result<[String: Any], CognitoFailure> {
        guard let body = try? JSONSerialization.data(withJSONObject: payload) else {
            return .failure(.badResponse("could not encode the \(operation.rawValue) request"))
        }
        let headers = [(name: "Content-Type", value: "application/x-amz-json-1.1"),
                       (name: "X-Amz-Target", value: "AWSCognitoIdentityProviderService.\(operation.rawValue)")]
        var attempt = 0
        while true {
            attempt += 1
            let remaining = budget.remaining
            guard remaining > .zero else { return .failure(budget.expired) }
            let request = HTTPRequest(method: .post, url: endpoint, headers: headers, body: Array(body),
                                      connectTimeout: min(connectTimeout, remaining), timeout: remaining,
                                      maxResponseBytes: Self.maxResponseBytes)
            let started = ContinuousClock.now
            let outcome = await attemptOnce(request, budget: budget)
            let elapsed = ContinuousClock.now - started
            metrics?.cognito.record(operation, CognitoMetrics.Outcome(outcome), duration: elapsed)
            switch outcome {
            case .success(let json):
                logger.debug("cognito call succeeded", metadata: [
                    "op": "\(operation.rawValue)", "id": "\(requestID)", "attempt": "\(attempt)", "ms": "\(Self.ms(elapsed))"])
                return .success(json)
            case .failure(let failure):
                guard failure.isRetryable, attempt < retry.maxAttempts else { return .failure(failure) }
                let delay = retry.delay(afterAttempt: attempt)
                guard budget.remaining > delay + retry.minimumAttemptTime else { return .failure(failure) }
                logger.debug("cognito call retried", metadata: [
                    "op": "\(operation.rawValue)", "id": "\(requestID)", "attempt": "\(attempt)",
                    "reason": "\(redactor.clean(failure.logDescription))", "backoff_ms": "\(Self.ms(delay))"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func attemptOnce(_ request: HTTPRequest, budget: CallBudget) async -> Result<[String: Any], CognitoFailure> {
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            switch error {
            case .timedOut: return .failure(budget.expired)
            case .couldNotConnect(let detail): return .failure(.unreachable(detail, neverSent: true))
            case .transport(let detail): return .failure(.unreachable(detail, neverSent: false))
            case .bodyTooLarge(let limit): return .failure(.badResponse("response body over \(limit) bytes"))
            }
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        if response.status == 200 {
            guard let json else { return .failure(.badResponse("HTTP 200 with a body that is not a JSON object")) }
            return .success(json)
        }
        return .failure(.service(name: Self.errorName(response, json),
                                 message: (json?["message"] ?? json?["Message"]) as? String ?? "",
                                 httpStatus: response.status,
                                 retryAfterMs: Self.retryAfterMs(response)))
    }

    /// SPEC §5: `x-amzn-errortype`, else the body's `__type`, without `namespace#` or `:…`.
    ///
    /// The name becomes the answer's `error_type` and a log field, so only what an
    /// exception name can look like is taken (1-64 ASCII letters and digits); anything
    /// else — text an emulator or a proxy put there, possibly echoing the request's
    /// password or session — reads as no name at all (`InternalError` /
    /// `CognitoUnavailable` then), and its detail stays in the redacted debug log.
    static func errorName(_ response: HTTPResponse, _ json: [String: Any]?) -> String {
        var raw = Substring(response.headers["x-amzn-errortype"] ?? json?["__type"] as? String ?? "")
        if let colon = raw.firstIndex(of: ":") { raw = raw[..<colon] }
        if let hash = raw.lastIndex(of: "#") { raw = raw[raw.index(after: hash)...] }
        let name = raw.trimmingCharacters(in: .whitespaces)
        let plausible = (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        return plausible ? name : ""
    }

    /// A `Retry-After` in seconds when the server sent one.
    static func retryAfterMs(_ response: HTTPResponse) -> UInt32? {
        guard let value = response.headers["retry-after"], let seconds = UInt32(value), seconds < 3600 else { return nil }
        return seconds * 1000
    }
}

extension CognitoMetrics.Outcome {
    init(_ attempt: Result<[String: Any], CognitoFailure>) {
        switch attempt {
        case .success: self = .ok
        case .failure(.service(let name, _, let status, _)):
            if CognitoFailure.throttlingNames.contains(name) || status == 429 {
                self = .throttled
            } else {
                self = status >= 500 ? .serverError : .rejected
            }
        case .failure(.unreachable): self = .unreachable
        case .failure(.timedOut), .failure(.deadlineExceeded): self = .timeout
        case .failure(.badResponse): self = .badResponse
        }
    }
}

/// SPEC §5: "retry only what cannot have been executed twice … with backoff and
/// jitter, within the request's deadline".
struct RetryPolicy: Sendable {
    var maxAttempts = 3
    var baseDelay: Duration = .milliseconds(100)
    var maxDelay: Duration = .seconds(2)
    /// No retry starts unless this much of the budget would be left after the backoff.
    var minimumAttemptTime: Duration = .milliseconds(50)

    /// Exponential backoff with "equal jitter": half fixed, half random, so retries
    /// of a burst spread out but never collapse to zero.
    func delay(afterAttempt attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let capped = min(exponential, maxDelay)
        let half = capped / 2
        return half + half * Double.random(in: 0...1)
    }
}

/// When a call must be over: the request's deadline or the Cognito timeout,
/// whichever comes first (SPEC §3, §5).
struct CallBudget: Sendable {
    let end: ContinuousClock.Instant
    /// true when the request's own deadline, not the Cognito timeout, is the limit.
    let deadlineBound: Bool

    init(deadlineMs: UInt32, timeout: Duration, now: ContinuousClock.Instant = .now) {
        let byTimeout = now + timeout
        if deadlineMs > 0, now + .milliseconds(Int(deadlineMs)) <= byTimeout {
            end = now + .milliseconds(Int(deadlineMs)); deadlineBound = true
        } else {
            end = byTimeout; deadlineBound = false
        }
    }

    var remaining: Duration { end - .now }
    var expired: CognitoFailure { deadlineBound ? .deadlineExceeded : .timedOut }
}

/// Why a Cognito call produced no usable answer. Mapped to a `Response` by `CognitoCall.fail`.
enum CognitoFailure: Error, Sendable {
    /// Cognito answered with an error (any non-200 status).
    case service(name: String, message: String, httpStatus: Int, retryAfterMs: UInt32?)
    /// No answer: refused, unresolvable, reset, TLS failure. `neverSent` when the request never left.
    case unreachable(String, neverSent: Bool)
    /// The Cognito timeout ran out.
    case timedOut
    /// The request's deadline ran out first.
    case deadlineExceeded
    /// An answer we cannot use: not JSON, too large, missing fields.
    case badResponse(String)

    static let throttlingNames: Set<String> = ["TooManyRequestsException", "LimitExceededException"]

    /// SPEC §5: connection refused / DNS failure and throttling only. Not
    /// TooManyFailedAttemptsException: that is a lock-out, which waiting a few
    /// hundred milliseconds will not lift.
    var isRetryable: Bool {
        switch self {
        case .unreachable(_, let neverSent): neverSent
        case .service(let name, _, _, _): Self.throttlingNames.contains(name)
        default: false
        }
    }

    /// For logs, after redaction by the caller.
    var logDescription: String {
        switch self {
        case .service(let name, let message, let status, _): "\(name.isEmpty ? "unnamed error" : name) (HTTP \(status)): \(message)"
        case .unreachable(let detail, _): "unreachable: \(detail)"
        case .timedOut: "timed out"
        case .deadlineExceeded: "deadline exceeded"
        case .badResponse(let detail): "bad response: \(detail)"
        }
    }
}

/// Counts outstanding Cognito calls; beyond the limit a call is refused at once,
/// never queued (SPEC §5). A plain lock: held for an increment, never across an await.
final class ConcurrencyLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func tryAcquire() -> Bool {
        lock.withLock {
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { lock.withLock { count -= 1 } }

    var current: Int { lock.withLock { count } }
}

extension CognitoClient {
    static func ms(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
