public import CurlHTTP
import Foundation
public import Logging

/// The Cognito Identity Provider JSON API over the shared libcurl transport (SPEC §5):
/// one typed call per operation, retried per SPEC §5 within the caller's budget, and
/// every failure read into a `CognitoFailure`. Knows nothing of the wire protocol or
/// of event loops: the service decides concurrency, answers and logging of outcomes.
public struct CognitoIdentityClient: Sendable {
    /// The API's base URL, ending in `/`.
    public let endpoint: String
    public let connectTimeout: Duration
    let transport: any HTTPTransport
    let retry: RetryPolicy
    let logger: Logger
    /// Told of every HTTP attempt: the operation's name, its outcome (nil: an answer) and
    /// how long it took. For metrics; called on whatever task made the call.
    public typealias AttemptObserver = @Sendable (_ operation: String, _ failure: CognitoFailure?, _ duration: Duration) -> Void
    let observeAttempt: AttemptObserver?

    /// Cognito answers are small; anything longer is refused (1 MiB).
    public static let maxResponseBytes = 1 << 20

    public init(endpoint: String, connectTimeout: Duration, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy(),
                logger: Logger, observeAttempt: AttemptObserver? = nil) {
        self.observeAttempt = observeAttempt
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    /// Calls `Operation` with `input`, retrying what cannot have run twice within
    /// `budget`. `redactor` cleans Cognito's text before it reaches the debug log;
    /// `requestID` names the request in it.
    public func call<Operation: CognitoOperation>(_ operation: Operation.Type, _ input: Operation.Input,
                                                   budget: CallBudget, redactor: Redactor,
                                                   requestID: UInt64) async -> Result<Operation.Output, CognitoFailure> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(input) else {
            return .failure(.badResponse("could not encode the \(Operation.name) request"))
        }
        let headers = [(name: "Content-Type", value: "application/x-amz-json-1.1"),
                       (name: "X-Amz-Target", value: "AWSCognitoIdentityProviderService.\(Operation.name)")]
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
            if let observeAttempt {
                if case .failure(let failure) = outcome { observeAttempt(Operation.name, failure, elapsed) } else {
                    observeAttempt(Operation.name, nil, elapsed)
                }
            }
            switch outcome {
            case .success(let bytes):
                let output: Operation.Output
                do {
                    output = try JSONDecoder().decode(Operation.Output.self, from: Data(bytes))
                } catch {
                    return .failure(.badResponse(Self.describe(error, answering: Operation.name)))
                }
                logger.debug("cognito call succeeded", metadata: [
                    "op": "\(Operation.name)", "id": "\(requestID)", "attempt": "\(attempt)", "ms": "\(elapsed.milliseconds)"])
                return .success(output)
            case .failure(let failure):
                guard failure.isRetryable, attempt < retry.maxAttempts else { return .failure(failure) }
                let delay = retry.delay(afterAttempt: attempt)
                guard budget.remaining > delay + retry.minimumAttemptTime else { return .failure(failure) }
                logger.debug("cognito call retried", metadata: [
                    "op": "\(Operation.name)", "id": "\(requestID)", "attempt": "\(attempt)",
                    "reason": "\(redactor.clean(failure.logDescription))", "backoff_ms": "\(delay.milliseconds)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// One HTTP exchange: the body of a 200 answer, or why there is none.
    private func attemptOnce(_ request: HTTPRequest, budget: CallBudget) async -> Result<[UInt8], CognitoFailure> {
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
        if response.status == 200 { return .success(response.body) }
        let error = try? JSONDecoder().decode(ServiceErrorBody.self, from: Data(response.body))
        return .failure(.service(name: Self.errorName(header: response.headers["x-amzn-errortype"], bodyType: error?.type),
                                 message: error?.message ?? "", httpStatus: response.status,
                                 retryAfterMs: Self.retryAfterMs(response.headers["retry-after"])))
    }

    /// Why a 200 answer could not be read, naming the field at fault (never its value).
    static func describe(_ error: any Error, answering operation: String) -> String {
        guard let error = error as? DecodingError else { return "HTTP 200 with a body that is not a JSON object" }
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        if path.isEmpty { return "HTTP 200 with a body that is not a JSON object" }
        return "HTTP 200 with a \(operation) answer whose \(path.map(\.stringValue).joined(separator: ".")) has the wrong type"
    }

    /// SPEC §5: `x-amzn-errortype`, else the body's `__type`, without `namespace#` or `:…`.
    ///
    /// The name becomes the answer's `error_type` and a log field, so only what an
    /// exception name can look like is taken (1-64 ASCII letters and digits); anything
    /// else — text an emulator or a proxy put there, possibly echoing the request's
    /// password or session — reads as no name at all, and its detail stays in the
    /// redacted debug log.
    public static func errorName(header: String?, bodyType: String?) -> String {
        var raw = Substring(header ?? bodyType ?? "")
        if let colon = raw.firstIndex(of: ":") { raw = raw[..<colon] }
        if let hash = raw.lastIndex(of: "#") { raw = raw[raw.index(after: hash)...] }
        let name = raw.trimmingCharacters(in: .whitespaces)
        let plausible = (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        return plausible ? name : ""
    }

    /// A `Retry-After` in seconds, when the server sent one.
    public static func retryAfterMs(_ header: String?) -> UInt32? {
        guard let header, let seconds = UInt32(header), seconds < 3600 else { return nil }
        return seconds * 1000
    }
}

/// The JSON body of a Cognito error: `__type` and `message` (or `Message`). Read
/// leniently: a field of another type, or a body that is not JSON, reads as absent.
struct ServiceErrorBody: Decodable {
    var type: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case type = "__type", message, upperMessage = "Message"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        message = (try? container.decodeIfPresent(String.self, forKey: .message))
            ?? (try? container.decodeIfPresent(String.self, forKey: .upperMessage))
    }
}

extension Duration {
    /// Whole milliseconds, for log fields.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
