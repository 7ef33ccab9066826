// libFuzzer target `cognito` (docs/FUZZING.md): what Cognito (or anything answering at
// COGNITO_ENDPOINT) sends back, through the account RPCs of SPEC §5.
//
// The input is an HTTP answer in text form:
//
//     authenticate 400                 <- RPC (proto field name) and HTTP status
//     x-amzn-errortype: NotAuthorizedException:http://internal.amazon.com/...
//     retry-after: 3                   <- headers, until an empty line
//
//     {"__type":"NotAuthorizedException","message":"Incorrect username or password."}
//
// An input without that first line is all body, answered with status 200 to an RPC
// picked by its length. The answer is served by an in-memory transport to the real
// method, called through the dispatcher (CognitoIdentityClient: JSON decoding, error names,
// Retry-After, the SPEC §5 error table, the reply readers, redaction), one attempt, no
// retry sleeps.
//
// Checks: the Response echoes the request id; an error carries no body; neither the
// Response message nor any log line contains one of the request's secrets (password,
// code, session, refresh or access token) verbatim; `errorName` strips namespaces and
// suffixes; `retryAfterMs` stays under an hour.
@testable import AuthRPC
@testable import CognitoIdentity
@testable import CurlHTTP
import TokenVerification
import Foundation
import FuzzSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Wire

@main enum Main {
    static func main() {
        LoggingSystem.bootstrap { _ in SecretCheckingLogHandler() }
        _ = Fixture.shared
        runLibFuzzer(fuzzCognito)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCognito(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let answer = ParsedAnswer(fuzzInput(data, size))
    let response = HTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)

    // The pure readers, on every input whatever the RPC.
    let errorBody = try? JSONDecoder().decode(ServiceErrorBody.self, from: Data(answer.body))
    let name = CognitoIdentityClient.errorName(header: response.headers["x-amzn-errortype"], bodyType: errorBody?.type)
    check(!name.contains(":") && !name.contains("#") && name == name.trimmingCharacters(in: .whitespaces),
          "errorName left a namespace, suffix or blank: \(name.debugDescription)")
    if let ms = CognitoIdentityClient.retryAfterMs(response.headers["retry-after"]) {
        check(ms < 3_600_000, "retryAfterMs \(ms)")
    }
    if let signUp = try? JSONDecoder().decode(SignUpResponse.self, from: Data(answer.body)) {
        _ = CognitoReplies.register(signUp)
        _ = CognitoReplies.codeDelivery(signUp.codeDeliveryDetails)
    }
    if let signIn = try? JSONDecoder().decode(AuthenticationResponse.self, from: Data(answer.body)) {
        _ = CognitoReplies.authenticate(signIn)
    }

    // The whole RPC.
    let fixture = Fixture.shared
    fixture.transport.answer.withLock { $0 = response }
    let rpc = answer.rpc
    Secrets.active.withLock { $0 = rpc.secrets + [Secrets.clientSecret] }
    let request = Request(id: 0x1234_5678_9abc, body: rpc.body)
    let reply = fixture.dispatcher.dispatch(request, on: fixture.loop)
    let result: Response
    switch reply {
    case .now(let now): result = now
    case .later(let future):
        do { result = try future.wait() } catch { fatalError("\(rpc.method) future failed: \(error)") }
    }
    check(result.id == request.id, "response id \(result.id) for request \(request.id)")
    check(result.status == .ok || result.body == nil, "an error response with a body: \(result)")
    check(result.status != .ok || result.body != nil, "an OK response without a body: \(result)")
    checkNoSecret(result.message, where: "Response.message")
    checkNoSecret(result.errorType, where: "Response.errorType")
    return 0
}

// MARK: input

/// The RPCs that call Cognito, each with a valid request whose secrets are distinct,
/// recognisable strings.
struct RPC {
    let name: String
    let method: AuthRPC.Method
    let body: Request.Body

    /// What the request carries that must never come back or be logged. Another RPC's
    /// secrets are mere text to this one: the server cannot know them.
    var secrets: [String] {
        switch body {
        case .register: [Secrets.password]
        case .confirmRegistration: [Secrets.code]
        case .authenticate: [Secrets.password]
        case .respondToChallenge: [Secrets.session, Secrets.newPassword]
        case .refreshTokens: [Secrets.refreshToken]
        case .signOut: [Secrets.accessToken]
        case .confirmForgotPassword: [Secrets.code, Secrets.newPassword]
        default: []
        }
    }

    static let all: [RPC] = [
        RPC(name: "register", method: .register, body: .register(RegisterRequest(
            username: "alice", password: Secrets.password, email: "alice@example.com", attributes: ["name": "Alice"]))),
        RPC(name: "confirm_registration", method: .confirmRegistration,
            body: .confirmRegistration(ConfirmRegistrationRequest(username: "alice", code: Secrets.code))),
        RPC(name: "resend_confirmation_code", method: .resendConfirmationCode,
            body: .resendConfirmationCode(ResendConfirmationCodeRequest(username: "alice"))),
        RPC(name: "authenticate", method: .authenticate,
            body: .authenticate(AuthenticateRequest(username: "alice", password: Secrets.password))),
        RPC(name: "respond_to_challenge", method: .respondToChallenge, body: .respondToChallenge(RespondToChallengeRequest(
            username: "alice", challengeName: "NEW_PASSWORD_REQUIRED", session: Secrets.session,
            responses: ["NEW_PASSWORD": Secrets.newPassword]))),
        RPC(name: "refresh_tokens", method: .refreshTokens,
            body: .refreshTokens(RefreshTokensRequest(refreshToken: Secrets.refreshToken, username: "alice"))),
        RPC(name: "sign_out", method: .signOut, body: .signOut(SignOutRequest(accessToken: Secrets.accessToken))),
        RPC(name: "forgot_password", method: .forgotPassword, body: .forgotPassword(ForgotPasswordRequest(username: "alice"))),
        RPC(name: "confirm_forgot_password", method: .confirmForgotPassword, body: .confirmForgotPassword(
            ConfirmForgotPasswordRequest(username: "alice", code: Secrets.code, newPassword: Secrets.newPassword))),
    ]
}

enum Secrets {
    static let password = "Fuzz-Passw0rd-one!"
    static let newPassword = "N3w-Pässwörd-two!"
    static let code = "C0DE-314159"
    static let session = "SESSION-AYABeJ0fuzz"
    static let refreshToken = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.refresh-fuzz"
    static let accessToken = "eyJraWQiOiJhY2Nlc3MifQ.access-fuzz.sig"
    static let clientSecret = "client-secret-fuzz-0123456789"
    /// The current input's request secrets, and the app client secret.
    static let active = Mutex<[String]>([])
}

/// The text form described at the top of this file.
struct ParsedAnswer {
    var rpc: RPC
    var status = 200
    var headers: [String: String] = [:]
    var body: [UInt8]

    init(_ input: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(input)
        rpc = RPC.all[bytes.count % RPC.all.count]
        body = bytes
        guard let firstLineEnd = bytes.firstIndex(of: 0x0A) else { return }
        let first = String(decoding: bytes[..<firstLineEnd], as: UTF8.self).split(separator: " ")
        guard first.count == 2, let named = RPC.all.first(where: { $0.name == first[0] }), let status = Int(first[1]) else { return }
        rpc = named
        self.status = status
        var at = firstLineEnd + 1
        while at < bytes.count {
            let end = bytes[at...].firstIndex(of: 0x0A) ?? bytes.count
            let line = String(decoding: bytes[at..<end], as: UTF8.self)
            at = end + 1
            if line.isEmpty || line == "\r" { break }
            // As CurlHTTPTransport hands them over: names lower-cased, the last value wins.
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        body = at < bytes.count ? Array(bytes[at...]) : []
    }
}

// MARK: the client under test

/// Answers every request with the current input's HTTP answer.
final class FuzzTransport: HTTPTransport {
    let answer = Mutex(HTTPResponse(status: 200))
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        // What the client sent must be JSON naming the operation, whatever came back before.
        check(request.headers.contains { $0.name == "X-Amz-Target" }, "Cognito request without X-Amz-Target")
        return answer.withLock { $0 }
    }
}

final class Fixture: Sendable {
    static let shared = Fixture()

    let transport = FuzzTransport()
    let loop: any EventLoop
    let dispatcher: Dispatcher

    private init() {
        var config = ServiceConfig()
        config.region = "us-east-1"
        config.clientIDs = ["4fuzz5client6id7"]
        config.clientSecret = Secret(Secrets.clientSecret)
        config.cognitoEndpoint = "https://cognito.invalid/"
        // The fuzzer's own BackgroundWork, running for the life of the process as the
        // application's runs under its ServiceGroup.
        let background = BackgroundWork()
        Task { await background.run() }
        let client = CognitoClient(config: config, transport: transport, logger: Logger(label: "authrpc.fuzz.cognito"),
                                   retry: RetryPolicy(maxAttempts: 1), background: background)
        let verifier = TokenVerifier(config: config, keys: JWKSRegistry(config: config, transport: transport))
        dispatcher = Dispatcher(service: AuthRPCService(health: HealthMethod(), verifier: verifier, cognito: client))
        loop = MultiThreadedEventLoopGroup.singleton.next()
    }
}

// MARK: secrets

func checkNoSecret(_ text: String, where place: String) {
    for secret in Secrets.active.withLock({ $0 }) where text.utf8.count >= secret.utf8.count {
        check(!text.contains(secret), "\(place) carries a request secret: \(text.debugDescription)")
    }
}

/// Renders every log line at every level and checks it carries no secret (SPEC §5:
/// secrets are never logged).
struct SecretCheckingLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(event.message)"
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            line += " \(key)=\(value)"
        }
        checkNoSecret(line, where: "a log line")
    }
}
