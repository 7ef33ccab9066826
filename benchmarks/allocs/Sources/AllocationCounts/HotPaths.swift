@_spi(Benchmarks) import AuthRPC
import CurlHTTP
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import TokenMinting
import TokenVerification
import Wire

/// The in-process hot paths whose allocations are counted, set up once: a signing key and
/// its JWKS in a temporary file, a started key registry, the service's dispatcher with the
/// verified-token cache on and off, and request frames.
struct HotPaths {
    static let poolID = "us-east-1_AllocPool1"
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/\(poolID)"
    static let clientID = "allocclient1234567890"

    let registry: JWKSRegistry
    let cached: Dispatcher
    let uncached: Dispatcher
    let repeatedFrame: ByteBuffer
    let uniqueFrames: [ByteBuffer]
    let healthFrame: ByteBuffer
    /// Never run: no token here waits for keys, so nothing is submitted to it.
    let background: BackgroundWork
    private let jwksPath: String

    static func start(uniqueTokens: Int) async throws -> HotPaths {
        let signer = try DevTokenSigner(kid: "alloc-bench-key-1")
        let jwksPath = NSTemporaryDirectory() + "authrpc-allocs-jwks-\(getpid()).json"
        try DevTokenSigner.jwksJSON([signer]).write(toFile: jwksPath, atomically: true, encoding: .utf8)
        var config = try ServiceConfig.load(from: [
            "COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": poolID, "COGNITO_CLIENT_ID": clientID,
            "COGNITO_JWKS_URL": "file://" + jwksPath,
        ])
        let registry = JWKSRegistry(config: config, transport: NoHTTP())
        await registry.start()
        guard registry.hasKeysForEveryPool else { throw SetupError("the JWKS did not load: \(registry.poolStatuses())") }

        var logger = Logger(label: "allocs")
        logger.logLevel = .critical
        // Every token here has a known kid: nothing waits for a refetch, no job is submitted.
        let background = BackgroundWork()
        let cached = AuthRPCApplication.methods(config: config, transport: NoHTTP(), keys: registry, logger: logger,
                                                background: background)
        config.verifyCacheEntries = 0
        let uncached = AuthRPCApplication.methods(config: config, transport: NoHTTP(), keys: registry, logger: logger,
                                                  background: background)

        let now = Int64(Date().timeIntervalSince1970)
        let frames = try (0..<max(uniqueTokens, 1)).map { i in
            let token = signer.token(payloadJSON: payload(i, now: now))
            return ByteBuffer(bytes: try Request(id: UInt64(i + 1), body: .verifyToken(
                VerifyTokenRequest(token: token, tokenUse: .access))).encodedBytes())
        }
        var health = ByteBuffer()
        try Request(id: 7, body: .health(HealthRequest())).writeFrame(into: &health)
        return HotPaths(registry: registry, cached: cached, uncached: uncached, repeatedFrame: frames[0],
                        uniqueFrames: frames, healthFrame: health, background: background, jwksPath: jwksPath)
    }

    func finish() async {
        await registry.shutdown()
        try? FileManager.default.removeItem(atPath: jwksPath)
    }

    /// A Cognito-shaped access token's payload (the shape `authrpc bench` uses); each `i` differs.
    private static func payload(_ i: Int, now: Int64) -> String {
        let n = String(format: "%012d", i)
        return #"{"sub":"5f1e0c1a-0000-4000-8000-\#(n)","cognito:groups":["admins","readers"],"iss":"\#(issuer)","version":2,"client_id":"\#(clientID)","origin_jti":"9a8b7c6d-1234-4e5f-8a9b-\#(n)","event_id":"e1f2a3b4-5c6d-4e7f-8091-a2b3c4d5e6f7","token_use":"access","scope":"aws.cognito.signin.user.admin openid profile","auth_time":\#(now - 60),"exp":\#(now + 3600),"iat":\#(now - 60),"jti":"0d1e2f3a-4b5c-4d6e-8f70-\#(n)","username":"alloc-user-\#(i)"}"#
    }

    // MARK: the paths

    /// What the connection handler does with one frame whose answer is immediate: decode,
    /// dispatch, append the answer's frame to the batch's buffer.
    static func frameToAnswer(_ frame: ByteBuffer, _ dispatcher: Dispatcher, on loop: any EventLoop,
                              into out: inout ByteBuffer) throws {
        let request = try Request.decode(frame)
        guard case .now(let response) = dispatcher.dispatch(request, on: loop) else { throw SetupError("answer not immediate") }
        guard response.status == .ok else { throw SetupError("answer \(response.status): \(response.errorType)") }
        try response.writeFrame(into: &out)
    }

    /// A connection handler as the server makes it, on an `EmbeddedChannel`.
    func embeddedConnection() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        var logger = Logger(label: "allocs")
        logger.logLevel = .critical
        try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler.make(
            dispatcher: cached, logger: logger, background: background))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// One Health round trip through the handler: the frame in, its answer out.
    static func healthRoundTrip(_ channel: EmbeddedChannel, _ frame: ByteBuffer) throws {
        try channel.writeInbound(frame)
        guard let answer = try channel.readOutbound(as: ByteBuffer.self), answer.readableBytes > 4 else {
            throw SetupError("no Health answer")
        }
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The JWKS is a file; nothing here calls HTTP.
private struct NoHTTP: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        throw .transport("no HTTP in this benchmark")
    }
}
