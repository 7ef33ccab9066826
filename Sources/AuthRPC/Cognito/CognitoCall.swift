import CognitoIdentity
import Logging
import NIOCore
import Wire

/// Which account RPCs sign a user in: there, NotAuthorizedException and
/// UserNotFoundException answer alike (SPEC §5, no user enumeration).
enum SignInPath: Sendable {
    case password, challenge, refresh

    /// One message per path, whatever Cognito said, so the two cannot be told apart.
    var message: String {
        switch self {
        case .password, .challenge: "Incorrect username or password."
        case .refresh: "The refresh token is invalid, expired or revoked."
        }
    }
}

/// One account RPC's Cognito work: its id, budget, secrets and logger, and the
/// SPEC §5 mapping from failures to answers.
struct CognitoCall: Sendable {
    let client: CognitoClient
    let requestID: UInt64
    let method: String
    let budget: CallBudget
    let redactor: Redactor
    /// SECRET_HASH for the RPC's username, when the client has a secret.
    let secretHash: String?

    var clientID: String { client.clientID }

    /// One Cognito operation for this request, within its budget.
    func call<Operation: CognitoOperation>(_ operation: Operation.Type,
                                           _ input: Operation.Input) async -> Result<Operation.Output, CognitoFailure> {
        await client.api.call(operation, input, budget: budget, redactor: redactor, requestID: requestID)
    }

    /// Cognito said 200 but not what the operation promises.
    func unexpected<Success: Sendable>(_ operation: (some CognitoOperation).Type, _ detail: String) -> MethodResult<Success> {
        .failure(fail(.badResponse("\(operation.name): \(detail)")))
    }

    /// The answer to a failed call: `fail`'s error.
    func failure<Success: Sendable>(_ failure: CognitoFailure, signIn: SignInPath? = nil) -> MethodResult<Success> {
        .failure(fail(failure, signIn: signIn))
    }

    /// SPEC §5 error mapping; `error_type` carries the Cognito name. The failure's
    /// detail is logged at `debug`, per request; a failure that is the service's or
    /// Cognito's problem (not the caller's) is also warned about, at most about once a
    /// second per error type, so a flood of failing calls cannot flood the log.
    func fail(_ failure: CognitoFailure, signIn: SignInPath? = nil) -> RPCError {
        let response = map(failure, signIn: signIn)
        client.logger.debug("cognito call failed", metadata: [
            "method": "\(method)", "id": "\(requestID)", "status": "\(response.status)",
            "error_type": "\(response.errorType)", "detail": "\(redactor.clean(failure.logDescription))"])
        let level: Logger.Level? = switch response.status {
        case .internal: .error
        case .unavailable, .resourceExhausted, .deadlineExceeded: .warning
        default: nil
        }
        if let level {
            client.warnings.warn("cognito calls failing", level: level, kind: response.errorType, metadata: [
                "method": "\(method)", "status": "\(response.status)", "error_type": "\(response.errorType)"])
        }
        return response
    }

    private func map(_ failure: CognitoFailure, signIn: SignInPath?) -> RPCError {
        func answer(_ status: Status, _ type: String, _ message: String, retryAfterMs: UInt32 = 0) -> RPCError {
            RPCError(status, errorType: type, message: message, retryAfterMs: retryAfterMs)
        }
        // Fixed messages where Cognito's add nothing (moto's often echo the input);
        // Cognito's own wording, secrets removed, where it tells the caller what to fix.
        switch failure {
        case .deadlineExceeded:
            return answer(.deadlineExceeded, "DeadlineExceeded", "the request's deadline passed before Cognito answered")
        case .timedOut:
            return answer(.unavailable, "CognitoTimeout", "Cognito did not answer in time", retryAfterMs: 1000)
        case .unreachable:
            return answer(.unavailable, "CognitoUnavailable", "Cognito could not be reached", retryAfterMs: 1000)
        case .badResponse:
            return answer(.internal, "InternalError", "internal error while calling Cognito")
        case .service(let name, let message, let httpStatus, let retryAfter):
            switch name {
            case "UsernameExistsException":
                return answer(.alreadyExists, name, "a user with this username already exists")
            case "InvalidPasswordException", "InvalidParameterException", "CodeMismatchException", "ExpiredCodeException":
                return answer(.invalidArgument, name, redactor.message(message, fallback: "Cognito rejected the request's parameters"))
            case "NotAuthorizedException", "UserNotFoundException":
                if let signIn {
                    // Same status, error_type and message for both: no user enumeration.
                    return answer(.unauthenticated, "NotAuthorizedException", signIn.message)
                }
                if name == "UserNotFoundException" {
                    // Off the sign-in paths (confirm, resend, forgot and confirm-forgot
                    // password): the caller named a user that does not exist. Their
                    // mistake, not a fault of ours: NOT_FOUND, never logged as an error.
                    return answer(.notFound, name, "no such user")
                }
                return answer(.unauthenticated, name, redactor.message(message, fallback: "not authorized"))
            case "UserNotConfirmedException":
                return answer(.failedPrecondition, name, "the user is not confirmed yet")
            case "PasswordResetRequiredException":
                return answer(.failedPrecondition, name, "the user must reset the password first")
            case "TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException":
                return answer(.resourceExhausted, name, "Cognito refused the call for now; retry later",
                              retryAfterMs: retryAfter ?? (name == "TooManyFailedAttemptsException" ? 60_000 : 1000))
            default:
                if httpStatus >= 500 {
                    return answer(.unavailable, name.isEmpty ? "CognitoUnavailable" : name,
                                  "Cognito is unavailable (HTTP \(httpStatus))", retryAfterMs: 1000)
                }
                return answer(.internal, name.isEmpty ? "InternalError" : name, "internal error while calling Cognito")
            }
        }
    }
}

extension CognitoClient {
    /// The shape every account method shares (SPEC §5): validate on the event loop
    /// (`.now` INVALID_ARGUMENT naming every rule), take a concurrency slot or refuse
    /// at once (`.now` RESOURCE_EXHAUSTED), then run `work` off the event loop and
    /// answer `.later`. `secrets` and `identifiers` (the username is one already) are
    /// what `Redactor` keeps out of the logs and messages.
    func start<Success: Sendable>(_ context: RequestContext, username: String, violations: [String], secrets: [String],
                                  identifiers: [String] = [],
                                  _ work: @escaping @Sendable (CognitoCall) async -> MethodResult<Success>)
        -> MethodReply<Success> {
        let method = context.method.name
        if !violations.isEmpty {
            logger.debug("request rejected", metadata: [
                "method": "\(method)", "id": "\(context.requestID)", "violations": "\(violations.joined(separator: "; "))"])
            return .failure(RPCError(.invalidArgument, errorType: "ValidationFailed",
                                     message: "invalid \(method) request: " + violations.joined(separator: "; ")))
        }
        guard limiter.tryAcquire() else {
            warnings.warn("cognito call refused: concurrency limit", metadata: ["limit": "\(limiter.limit)"])
            metrics?.rateLimited.record(.cognitoInflight)
            return .failure(RPCError(.resourceExhausted, errorType: "TooManyCognitoCalls",
                                     message: "too many Cognito calls outstanding (limit \(limiter.limit))", retryAfterMs: 100))
        }
        let hash = username.isEmpty ? nil : secretHash(username: username)
        let call = CognitoCall(
            client: self, requestID: context.requestID, method: method,
            budget: CallBudget(deadlineMs: context.deadlineMs, timeout: timeout),
            redactor: Redactor(secrets + [clientSecret?.reveal() ?? "", hash ?? ""], identifiers: [username] + identifiers),
            secretHash: hash)
        let promise = context.eventLoop.makePromise(of: MethodResult<Success>.self)
        let limiter = self.limiter
        let started = background.submit {
            let outcome = await work(call)
            limiter.release()
            promise.succeed(outcome)
        }
        if !started {
            limiter.release()
            promise.succeed(.failure(RPCError(.unavailable, errorType: "ShuttingDown",
                                              message: "the server is shutting down; retry on another instance")))
        }
        return .later(promise.futureResult)
    }
}
