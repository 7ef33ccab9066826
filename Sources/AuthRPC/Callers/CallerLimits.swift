public import NIOCore
public import Wire

/// The rate limits of SPEC §8, as a `CallInterceptor`, on account methods only —
/// VerifyToken, CheckGroups and Health are local and cheap and pass untouched:
///
/// - per username for Authenticate and ForgotPassword (`AUTHRPC_SIGNIN_RATE`, default
///   5 a minute, burst 5): password guessing and reset-mail floods stop at the sixth try,
///   whichever caller and connection they come from;
/// - per caller (`AUTHRPC_CALLER_RATE`, off by default);
/// - each caller's share of the outstanding-Cognito-call budget (`CognitoShare`).
///
/// Over a limit the answer is `RESOURCE_EXHAUSTED` / `RateLimited` with `retry_after_ms`,
/// and nothing reaches Cognito.
public final class CallerLimits: CallInterceptor {
    private let signIn: KeyedRateLimiter?
    private let perCaller: KeyedRateLimiter?
    private let share: CognitoShare
    private let clock: @Sendable () -> Int64
    /// Refusals by limit, for `authrpc_rate_limited_total{kind}`.
    private let refusals: RateLimitedCounters?

    /// Usernames tracked at most (about 48 bytes each) by the per-username limit.
    static let maxUsernames = 100_000
    /// Callers tracked at most by the per-caller limit.
    static let maxCallers = 10_000
    /// The hint given with a refusal by the Cognito share: calls of others finish soon.
    static let shareRetryMs: UInt32 = 100

    public init(signInRate: RateLimit?, callerRate: RateLimit?, cognitoBudget: Int,
                refusals: RateLimitedCounters? = nil,
                clock: @escaping @Sendable () -> Int64 = { Int64(NIODeadline.now().uptimeNanoseconds) }) {
        self.signIn = signInRate.map { KeyedRateLimiter(limit: $0, maxKeys: Self.maxUsernames) }
        self.perCaller = callerRate.map { KeyedRateLimiter(limit: $0, maxKeys: Self.maxCallers) }
        self.share = CognitoShare(budget: cognitoBudget)
        self.clock = clock
        self.refusals = refusals
    }

    public func admit(_ call: Call, request: Request) -> Response? {
        guard let method = call.method, method.callsCognito else { return nil }
        let now = clock()
        if let signIn, let username = Self.signInUsername(request) {
            // Case-insensitive, as Cognito user pools compare usernames by default.
            if let wait = signIn.take(username.lowercased(), now: now) {
                refusals?.record(.signIn)
                return Self.refusal(call, wait, "too many sign-in attempts for this user; retry later")
            }
        }
        let caller = CallerKey(call.connection)
        if let perCaller, let wait = perCaller.take(caller, now: now) {
            refusals?.record(.caller)
            return Self.refusal(call, wait, "this caller is over its rate for account methods")
        }
        guard share.enter(caller) else {
            refusals?.record(.cognitoShare)
            return Self.refusal(call, Self.shareRetryMs,
                                "this caller holds its full share of the calls to Cognito in flight")
        }
        return nil
    }

    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
        guard admitted, let method = call.method, method.callsCognito else { return }
        share.leave(CallerKey(call.connection))
    }

    private static func signInUsername(_ request: Request) -> String? {
        switch request.body {
        case .authenticate(let body)?: body.username
        case .forgotPassword(let body)?: body.username
        default: nil
        }
    }

    private static func refusal(_ call: Call, _ waitMs: UInt32, _ message: String) -> Response {
        .failure(id: call.requestID, .resourceExhausted, errorType: "RateLimited", message: message,
                 retryAfterMs: waitMs)
    }
}

extension Method {
    /// The account methods: each is one or more calls to Cognito.
    var callsCognito: Bool {
        switch self {
        case .register, .confirmRegistration, .resendConfirmationCode, .authenticate, .respondToChallenge,
             .refreshTokens, .signOut, .forgotPassword, .confirmForgotPassword:
            true
        case .health, .verifyToken, .checkGroups:
            false
        }
    }
}
