@testable import CognitoIdentity
@testable import CurlHTTP
@testable import TokenVerification
@testable import AuthRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Wire
import XCTest

/// Keeps every log line, rendered with all its metadata, so a test can scan them.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var all: [String] { lines.withLockedValue { $0 } }
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    func logger(label: String = "cognito-test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(rendered) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// The account methods over one `CognitoClient`, called through the dispatcher.
final class CognitoHarness: @unchecked Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let transport = CurlHTTPTransport()
    let client: CognitoClient
    let dispatcher: Dispatcher
    let logs = LogCapture()

    init(endpoint: String, clientID: String = "testclient", secret: String? = nil, region: String = "us-east-1",
         configure: (inout ServiceConfig) -> Void = { _ in },
         retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))) {
        var config = ServiceConfig()
        config.region = region
        config.cognitoEndpoint = endpoint
        config.clientIDs = [clientID]
        config.clientSecret = secret.map(Secret.init)
        configure(&config)
        client = CognitoClient(config: config, transport: transport, logger: logs.logger(), retry: retry,
                               background: testBackground)
        let keys = JWKSRegistry(config: config, transport: transport)
        dispatcher = Dispatcher(service: AuthRPCService(health: HealthMethod(), verifier: TokenVerifier(config: config, keys: keys),
                                                        cognito: client))
    }

    func shutdown() {
        transport.shutdown()
        try? group.syncShutdownGracefully()
    }

    /// Handles `body` as request `id`; `immediate` tells whether the answer was `.now`.
    func call(_ body: Request.Body, id: UInt64 = 1, deadlineMs: UInt32 = 0) async throws -> (response: Response, immediate: Bool) {
        let request = Request(id: id, deadlineMs: deadlineMs, body: body)
        let loop = group.next()
        let dispatcher = self.dispatcher
        let reply = try await loop.submit { dispatcher.dispatch(request, on: loop) }.get()
        switch reply {
        case .now(let response): return (response, true)
        case .later(let future): return (try await future.get(), false)
        }
    }

    func response(_ body: Request.Body, deadlineMs: UInt32 = 0) async throws -> Response {
        try await call(body, deadlineMs: deadlineMs).response
    }
}

extension Response {
    var tokens: Tokens? {
        switch body {
        case .authenticate(let a), .respondToChallenge(let a), .refreshTokens(let a): a.tokens
        default: nil
        }
    }

    var challenge: Challenge? {
        switch body {
        case .authenticate(let a), .respondToChallenge(let a), .refreshTokens(let a): a.challenge
        default: nil
        }
    }
}
