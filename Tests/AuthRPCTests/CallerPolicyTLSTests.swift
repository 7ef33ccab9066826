@testable import AuthRPC
import AuthRPCClient
import Logging
import NIOCore
import NIOPosix
import Wire
import XCTest

/// SPEC §8 end to end: callers named by their client certificates (made by the project's
/// own `scripts/dev-certs`), over real mTLS, against a caller policy.
final class CallerPolicyTLSTests: XCTestCase {
    private var certs: TestCerts!
    private var server: TestServer!
    private let audit = LogCapture()
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Answers every call it serves OK at once.
    private struct OKHandler: StubHandler {
        func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success> {
            .success(success)
        }
    }

    override func setUp() async throws {
        certs = try TestCerts()
        let policy = try CallerPolicy.parse(Data("""
            {"callers": {
              "spiffe://authrpc.local/gateway": ["*"],
              "spiffe://authrpc.local/orders": ["VerifyToken", "CheckGroups", "Health"]
            }}
            """.utf8), source: "policy.json")
        let quiet = Logger(label: "policy-tls", factory: { _ in SwiftLogNoOpLogHandler() })
        let tls = try ServerTLS(settings: TLSSettings(certificatePath: certs.path("server.pem"), keyPath: certs.path("server.key"),
                                                      clientCAPath: certs.path("ca.pem")), logger: quiet)
        let gate = CallerPolicyGate(policy: policy, logger: quiet)
        let ok = OKHandler()
        server = try await TestServer.start(dispatcher: testDispatcher([.authenticate: ok, .verifyToken: ok]),
                                            interceptors: [gate, AuditLog(logger: audit.logger(label: "authrpc.audit"))],
                                            tls: tls, logger: quiet)
    }

    override func tearDown() async throws {
        await server?.stop()
        try await clientGroup.shutdownGracefully()
    }

    private func connect(as workload: String) async throws -> AuthRPCConnection {
        let tls = try ClientTLS(ClientTLSSettings(caFile: certs.path("ca.pem"), certificateFile: certs.path("\(workload).pem"),
                                                  keyFile: certs.path("\(workload).key")))
        return try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup, tls: tls)
    }

    func testGatewayMaySignInOrdersMayNotBothMayVerify() async throws {
        let gateway = try await connect(as: "gateway")
        let orders = try await connect(as: "orders")
        let signIn = Request.Body.authenticate(AuthenticateRequest(username: "alice", password: "Secret-Passw0rd"))
        let verify = Request.Body.verifyToken(VerifyTokenRequest(token: "a.b.c"))

        let gatewaySignIn = try await gateway.call(signIn)
        XCTAssertEqual(gatewaySignIn.status, .ok, gatewaySignIn.message)
        let ordersSignIn = try await orders.call(signIn)
        XCTAssertEqual(ordersSignIn.status, .permissionDenied)
        XCTAssertEqual(ordersSignIn.errorType, "CallerNotAllowed")
        XCTAssertTrue(ordersSignIn.message.contains("Authenticate"), ordersSignIn.message)
        for connection in [gateway, orders] {
            let answer = try await connection.call(verify)
            XCTAssertEqual(answer.status, .ok, answer.message)
        }
        await gateway.close()
        await orders.close()

        let lines = audit.all.filter { $0.contains("event=caller_denied") }
        XCTAssertEqual(lines.count, 1, "one denial, audited once: \(audit.all)")
        XCTAssertEqual(audit.all.filter { $0.contains("event=account_operation") }.count, 1,
                       "the allowed sign-in is an account operation; the refused one is its denial: \(audit.all)")
        XCTAssertTrue(lines[0].contains("caller=spiffe://authrpc.local/orders") && lines[0].contains("method=Authenticate"),
                      lines[0])
        XCTAssertFalse(lines[0].contains("alice") || lines[0].contains("Secret-Passw0rd"), "no request field in the audit log")
    }
}
