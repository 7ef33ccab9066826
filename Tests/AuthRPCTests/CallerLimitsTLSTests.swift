@testable import AuthRPC
import AuthRPCClient
@testable import CurlHTTP
import Logging
import TokenVerification
import NIOCore
import NIOPosix
import Wire
import XCTest

/// The rate limits of SPEC §8 over real mTLS, callers named by the project's own client
/// certificates (`scripts/dev-certs`), against moto: brute force stops at the sixth try,
/// and a noisy caller cannot starve another's sign-ins.
final class CallerLimitsTLSTests: XCTestCase {
    private var moto: MotoServer!
    private var certs: TestCerts!
    private var server: TestServer!
    private var transport: CurlHTTPTransport!
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func setUp() async throws {
        moto = try MotoServer()
        certs = try TestCerts()
        let config = try ServiceConfig.load(from: [
            "COGNITO_REGION": moto.region, "COGNITO_USER_POOL_ID": moto.poolID,
            "COGNITO_CLIENT_ID": moto.clientID, "COGNITO_ENDPOINT": moto.endpoint,
            "AUTHRPC_LISTEN": "127.0.0.1:0", "AUTHRPC_COGNITO_MAX_INFLIGHT": "8",
        ])
        let quiet = Logger(label: "limits-tls", factory: { _ in SwiftLogNoOpLogHandler() })
        transport = CurlHTTPTransport()
        let keys = JWKSRegistry(config: config, transport: transport, logger: quiet)
        let tls = try ServerTLS(settings: TLSSettings(certificatePath: certs.path("server.pem"), keyPath: certs.path("server.key"),
                                                      clientCAPath: certs.path("ca.pem")), logger: quiet)
        server = try await TestServer.start(
            dispatcher: AuthRPCApplication.methods(config: config, transport: transport, keys: keys, logger: quiet, background: testBackground),
            interceptors: AuthRPCApplication.interceptors(config: config, policy: nil, logger: quiet),
            tls: tls, logger: quiet) { $0 = config }
    }

    override func tearDown() async throws {
        await server?.stop()
        transport?.shutdown()
        moto?.stop()
        try await clientGroup.shutdownGracefully()
    }

    private func connect(as workload: String) async throws -> AuthRPCConnection {
        let tls = try ClientTLS(ClientTLSSettings(caFile: certs.path("ca.pem"), certificateFile: certs.path("\(workload).pem"),
                                                  keyFile: certs.path("\(workload).key")))
        return try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup, tls: tls)
    }

    private func signIn(_ username: String, _ password: String) -> Request.Body {
        .authenticate(AuthenticateRequest(username: username, password: password))
    }

    func testBruteForceStopsAtTheSixthTryAndANoisyCallerStarvesNobody() async throws {
        let gateway = try await connect(as: "gateway")
        let orders = try await connect(as: "orders")

        // Brute force: the sixth wrong password for one user within a minute is refused.
        var answers: [Response] = []
        for i in 1...6 { answers.append(try await gateway.call(signIn("demo", "wrong-\(i)"))) }
        XCTAssertEqual(answers.prefix(5).map(\.status), Array(repeating: .unauthenticated, count: 5))
        XCTAssertEqual(answers[5].errorType, "RateLimited")
        XCTAssertGreaterThan(answers[5].retryAfterMs, 0)

        // Starvation: gateway pipelines 400 wrong passwords for as many users while orders
        // signs in; every one of orders' sign-ins reaches Cognito (its answer is Cognito's,
        // NotAuthorized for these unknown users), none is refused for want of room.
        var flood: [EventLoopFuture<Response>] = []
        for i in 0..<400 {
            flood.append(gateway.send(Request(id: gateway.makeID(), body: signIn("nobody-\(i)", "guess")), flush: i % 40 == 39))
        }
        gateway.flush()
        var quiet: [Response] = []
        for i in 0..<3 { quiet.append(try await orders.call(signIn("orders-user-\(i)", "Passw0rd-\(i)"))) }
        let flooded = try await EventLoopFuture.whenAllSucceed(flood, on: clientGroup.next()).get()
        XCTAssertEqual(quiet.map(\.errorType), Array(repeating: "NotAuthorizedException", count: 3),
                       quiet.map { "\($0.status) \($0.errorType)" }.joined(separator: ", "))
        XCTAssertEqual(flooded.count, 400, "every request of the flood is answered")
        XCTAssertFalse(flooded.contains { $0.errorType == "TooManyCognitoCalls" }, "the share keeps the flood under the budget")
        await gateway.close()
        await orders.close()
    }
}
