import TokenVerification
import Wire

/// The label values of `authrpc_requests_total` and `authrpc_request_duration_seconds`
/// (SPEC §9): fixed sets, so what a client sends can never make a new time series.
/// Each value has a dense index; a request's labels are three small integers.
enum RequestLabels {
    /// The RPC names of SPEC §4, by `Method.rawValue`, then `unknown` for a frame that did
    /// not decode or named a body this build does not know.
    static let methods: [String] = Method.allCases.map(\.rpcName) + ["unknown"]
    static var unknownMethod: Int { methods.count - 1 }

    /// `Status`'s proto names, by raw value (0 … 11, dense).
    static let statuses: [String] = Status.allCases.map(\.protoName)

    /// "" (no error), every `error_type` this service answers with, then `other`.
    static let errorTypes: [String] = [""] + knownErrorTypes + ["other"]
    static var otherErrorType: Int { errorTypes.count - 1 }
    private static let errorTypeIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: errorTypes.enumerated().map { ($1, $0) })

    /// Every name the service puts in `error_type`: its own (framing, dispatch, limits,
    /// readiness), the verification failures of SPEC §6 and the Cognito exception names
    /// of SPEC §5. A Cognito name not listed here (Cognito may add some) counts as `other`.
    static let knownErrorTypes: [String] = [
        "MalformedRequest", "MissingBody", "UnknownMethod", "FrameTooLarge", "UnencodableAnswer",
        "DeadlineExceeded", "ShuttingDown", "InternalError", "NotReady", "ValidationFailed",
        "CallerNotAllowed", "RateLimited", "TooManyCognitoCalls", "CognitoUnavailable",
    ] + VerificationError.Kind.allCases.map(\.rawValue) + [
        "UsernameExistsException", "InvalidPasswordException", "InvalidParameterException",
        "CodeMismatchException", "ExpiredCodeException", "NotAuthorizedException", "UserNotFoundException",
        "UserNotConfirmedException", "PasswordResetRequiredException", "TooManyRequestsException",
        "LimitExceededException", "TooManyFailedAttemptsException", "InternalErrorException",
        "ResourceNotFoundException", "UserLambdaValidationException", "InvalidLambdaResponseException",
        "UnexpectedLambdaException", "CodeDeliveryFailureException", "InvalidUserPoolConfigurationException",
        "UnsupportedOperationException", "ForbiddenException",
    ]

    static func method(_ method: Method?) -> Int { method?.rawValue ?? unknownMethod }

    /// "" costs one length check: an OK answer never hashes a string.
    static func errorType(_ name: String) -> Int {
        if name.isEmpty { return 0 }
        return errorTypeIndex[name] ?? otherErrorType
    }

    /// Upper bounds of the duration histogram, in nanoseconds: VerifyToken answers in
    /// microseconds, a Cognito call in milliseconds to seconds. `+Inf` is implicit.
    static let durationBoundsNanos: [Int64] = [
        25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000,
        250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]
}
