/// When a call must be over: the request's deadline or the Cognito timeout,
/// whichever comes first (SPEC §3, §5).
public struct CallBudget: Sendable {
    public let end: ContinuousClock.Instant
    /// true when the request's own deadline, not the Cognito timeout, is the limit.
    public let deadlineBound: Bool

    public init(deadlineMs: UInt32, timeout: Duration, now: ContinuousClock.Instant = .now) {
        let byTimeout = now + timeout
        if deadlineMs > 0, now + .milliseconds(Int(deadlineMs)) <= byTimeout {
            end = now + .milliseconds(Int(deadlineMs)); deadlineBound = true
        } else {
            end = byTimeout; deadlineBound = false
        }
    }

    public var remaining: Duration { end - .now }
    public var expired: CognitoFailure { deadlineBound ? .deadlineExceeded : .timedOut }
}

/// SPEC §5: "retry only what cannot have been executed twice … with backoff and
/// jitter, within the request's deadline".
public struct RetryPolicy: Sendable {
    public var maxAttempts = 3
    public var baseDelay: Duration = .milliseconds(100)
    public var maxDelay: Duration = .seconds(2)
    /// No retry starts unless this much of the budget would be left after the backoff.
    public var minimumAttemptTime: Duration = .milliseconds(50)

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(2),
                minimumAttemptTime: Duration = .milliseconds(50)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.minimumAttemptTime = minimumAttemptTime
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so retries
    /// of a burst spread out but never collapse to zero.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let capped = min(exponential, maxDelay)
        let half = capped / 2
        return half + half * Double.random(in: 0...1)
    }
}

/// Why a Cognito call produced no usable answer. The service maps it to an answer.
public enum CognitoFailure: Error, Sendable {
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

    public static let throttlingNames: Set<String> = ["TooManyRequestsException", "LimitExceededException"]

    /// SPEC §5: connection refused / DNS failure and throttling only. Not
    /// TooManyFailedAttemptsException: that is a lock-out, which waiting a few
    /// hundred milliseconds will not lift.
    public var isRetryable: Bool {
        switch self {
        case .unreachable(_, let neverSent): neverSent
        case .service(let name, _, _, _): Self.throttlingNames.contains(name)
        default: false
        }
    }

    /// For logs, after redaction by the caller.
    public var logDescription: String {
        switch self {
        case .service(let name, let message, let status, _): "\(name.isEmpty ? "unnamed error" : name) (HTTP \(status)): \(message)"
        case .unreachable(let detail, _): "unreachable: \(detail)"
        case .timedOut: "timed out"
        case .deadlineExceeded: "deadline exceeded"
        case .badResponse(let detail): "bad response: \(detail)"
        }
    }
}
