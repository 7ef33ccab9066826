import TokenMinting
@testable import CurlHTTP
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import AuthRPCClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire
import XCTest

/// The whole service as clients see it: the application's method table on a real
/// server, over TCP, against a real moto (token verification and the account RPCs end to end).
final class EndToEndTests: XCTestCase {
    private var moto: MotoServer!
    private var server: TestServer!
    private var keys: JWKSRegistry!
    private var transport: CurlHTTPTransport!
    private var connection: AuthRPCConnection!

    override func setUp() async throws {
        moto = try MotoServer()
        var settings = [
            "COGNITO_REGION": moto.region, "COGNITO_USER_POOL_ID": moto.poolID,
            "COGNITO_CLIENT_ID": moto.clientID, "COGNITO_ENDPOINT": moto.endpoint,
        ]
        settings["AUTHRPC_LISTEN"] = "127.0.0.1:0"
        let config = try ServiceConfig.load(from: settings)
        transport = CurlHTTPTransport()
        var logger = Logger(label: "e2e")
        logger.logLevel = .warning
        keys = JWKSRegistry(config: config, transport: transport, logger: logger)
        await keys.start()
        let dispatcher = AuthRPCApplication.methods(config: config, transport: transport, keys: keys, logger: logger, background: testBackground)
        server = try await TestServer.start(dispatcher: dispatcher) { $0 = config }
        connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port)
    }

    override func tearDown() async throws {
        await connection?.close()
        await server?.stop()
        await keys?.shutdown()
        transport?.shutdown()
        moto?.stop()
    }

    private func call(_ body: Request.Body) async throws -> Response {
        try await connection.call(body, deadlineMs: 15_000)
    }

    func testHealthReportsThePoolsKeys() async throws {
        let response = try await call(.health(HealthRequest()))
        XCTAssertEqual(response.status, .ok, response.message)
        guard case .health(let health) = response.body else { return XCTFail("no body") }
        XCTAssertEqual(health.pools.count, 1)
        XCTAssertEqual(health.pools[0].issuer, "https://cognito-idp.\(moto.region).amazonaws.com/\(moto.poolID)")
        XCTAssertGreaterThanOrEqual(health.pools[0].keys, 1)
        XCTAssertEqual(health.pools[0].lastError, "")
    }

    func testRegisterConfirmSignInVerifyCheckRefreshSignOut() async throws {
        let username = "e2e-\(UInt32.random(in: 0...UInt32.max))"
        let password = "Sup3rSecret"
        let registered = try await call(.register(RegisterRequest(username: username, password: password, email: "\(username)@example.com")))
        XCTAssertEqual(registered.status, .ok, registered.message)
        guard case .register(let signUp) = registered.body else { return XCTFail("no register body") }
        XCTAssertFalse(signUp.userSub.isEmpty)

        let early = try await call(.authenticate(AuthenticateRequest(username: username, password: password)))
        XCTAssertEqual(early.status, .failedPrecondition)
        XCTAssertEqual(early.errorType, "UserNotConfirmedException")

        _ = try moto.admin("confirm-user", username)
        _ = try moto.admin("add-to-group", username, "staff")
        let signedIn = try await call(.authenticate(AuthenticateRequest(username: username, password: password)))
        XCTAssertEqual(signedIn.status, .ok, signedIn.message)
        guard case .authenticate(let auth) = signedIn.body, let tokens = auth.tokens else { return XCTFail("no tokens") }

        // A real Cognito-shaped id token and access token verify, claims filled in.
        let idAnswer = try await call(.verifyToken(VerifyTokenRequest(token: tokens.idToken, tokenUse: .id)))
        XCTAssertEqual(idAnswer.status, .ok, idAnswer.message)
        guard case .verifyToken(let idBody) = idAnswer.body, let idClaims = idBody.claims else { return XCTFail("no claims") }
        XCTAssertEqual(idClaims.username, username)
        XCTAssertEqual(idClaims.sub, signUp.userSub)
        XCTAssertEqual(idClaims.tokenUse, .id)
        XCTAssertEqual(idClaims.clientID, moto.clientID)
        XCTAssertEqual(idClaims.groups, ["staff"])
        XCTAssertTrue(idClaims.payloadJSON.contains(username))

        let accessAnswer = try await call(.verifyToken(VerifyTokenRequest(
            token: tokens.accessToken, tokenUse: .access, requiredScopes: ["aws.cognito.signin.user.admin"])))
        XCTAssertEqual(accessAnswer.status, .ok, accessAnswer.message)
        guard case .verifyToken(let accessBody) = accessAnswer.body else { return XCTFail("no body") }
        XCTAssertEqual(accessBody.claims?.tokenUse, .access)
        XCTAssertEqual(accessBody.claims?.username, username)

        let wrongUse = try await call(.verifyToken(VerifyTokenRequest(token: tokens.accessToken, tokenUse: .id)))
        XCTAssertEqual(wrongUse.status, .unauthenticated)
        XCTAssertEqual(wrongUse.errorType, "WrongTokenUse")

        let allowed = try await call(.checkGroups(CheckGroupsRequest(token: tokens.accessToken, allowedGroups: ["admins", "staff"])))
        XCTAssertEqual(allowed.status, .ok, allowed.message)
        guard case .checkGroups(let groups) = allowed.body else { return XCTFail("no body") }
        XCTAssertEqual(groups.matchedGroups, ["staff"])
        let denied = try await call(.checkGroups(CheckGroupsRequest(token: tokens.idToken, requiredGroups: ["admins"])))
        XCTAssertEqual(denied.status, .permissionDenied)
        XCTAssertEqual(denied.errorType, "GroupCheckFailed")

        let refreshed = try await call(.refreshTokens(RefreshTokensRequest(refreshToken: tokens.refreshToken, username: username)))
        XCTAssertEqual(refreshed.status, .ok, refreshed.message)
        guard case .refreshTokens(let fresh) = refreshed.body, let newTokens = fresh.tokens else { return XCTFail("no tokens") }
        let freshVerify = try await call(.verifyToken(VerifyTokenRequest(token: newTokens.idToken)))
        XCTAssertEqual(freshVerify.status, .ok)

        let signedOut = try await call(.signOut(SignOutRequest(accessToken: tokens.accessToken)))
        XCTAssertEqual(signedOut.status, .ok, signedOut.message)
        let afterSignOut = try await call(.refreshTokens(RefreshTokensRequest(refreshToken: tokens.refreshToken, username: username)))
        XCTAssertEqual(afterSignOut.status, .unauthenticated)
    }

    func testWrongPasswordAndUnknownUserLookTheSame() async throws {
        let wrong = try await call(.authenticate(AuthenticateRequest(username: "demo", password: "Wr0ngPassword")))
        let unknown = try await call(.authenticate(AuthenticateRequest(username: "nobody-\(UInt32.random(in: 0...UInt32.max))", password: "Wr0ngPassword")))
        XCTAssertEqual(wrong.status, .unauthenticated)
        XCTAssertEqual(wrong.status, unknown.status)
        XCTAssertEqual(wrong.message, unknown.message)
        XCTAssertEqual(wrong.errorType, unknown.errorType)
    }
}

/// A slow or dead Cognito never slows VerifyToken or Health (SPEC §5).
final class CognitoIsolationTests: XCTestCase {
    func testVerifyLatencyHoldsWhile256CognitoCallsHang() async throws {
        let hung = try FakeCognitoServer { _ in .hang }
        defer { hung.stop() }
        let jwks = FileManager.default.temporaryDirectory.appendingPathComponent("isolation-\(UUID()).json")
        try DevTokenSigner.jwksJSON([TestKeys.idKey]).write(to: jwks, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: jwks) }

        var config = try ServiceConfig.load(from: [
            "COGNITO_USER_POOL_ID": TestKeys.poolID, "COGNITO_CLIENT_ID": TestKeys.clientID,
            "COGNITO_ENDPOINT": hung.endpoint, "COGNITO_JWKS_URL": jwks.absoluteString,
        ])
        config.listenPort = 0
        config.verifyCacheEntries = 0  // every verify does the full RSA work
        config.shutdownGrace = .seconds(1)  // the hung calls are abandoned at the end
        let transport = CurlHTTPTransport()
        var logger = Logger(label: "isolation")
        logger.logLevel = .critical
        let keys = JWKSRegistry(config: config, transport: transport, logger: logger)
        await keys.start()
        let server = try await TestServer.start(dispatcher: AuthRPCApplication.methods(
            config: config, transport: transport, keys: keys, logger: logger, background: testBackground)) { $0 = config }
        let verifier = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port)
        let now = Int64(Date().timeIntervalSince1970)
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now + 3600, iat: now - 10))

        func medianVerifyMicros() async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<300 {
                let start = ContinuousClock.now
                let response = try await verifier.call(.verifyToken(VerifyTokenRequest(token: token)))
                XCTAssertEqual(response.status, .ok, response.message)
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            return samples.sorted()[samples.count / 2]
        }

        let before = try await medianVerifyMicros()

        // Fill every Cognito slot with a call that never returns.
        let cognitoClient = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port)
        var hanging: [EventLoopFuture<Response>] = []
        for i in 0..<256 {
            hanging.append(cognitoClient.send(Request(id: UInt64(i + 1), body: .forgotPassword(ForgotPasswordRequest(username: "user\(i)")))))
        }
        while hung.requests.count < 256 { try await Task.sleep(for: .milliseconds(20)) }
        let overflow = try await verifier.call(.forgotPassword(ForgotPasswordRequest(username: "one-too-many")))
        XCTAssertEqual(overflow.status, .resourceExhausted)

        let during = try await medianVerifyMicros()
        let health = try await verifier.call(.health(HealthRequest()))
        XCTAssertEqual(health.status, .ok)
        print("verify median: \(Int(before)) us before, \(Int(during)) us with 256 Cognito calls hung")
        XCTAssertLessThan(during, before * 3 + 2000, "VerifyToken slowed down while Cognito hung")

        await cognitoClient.close()
        await verifier.close()
        await server.stop()
        await keys.shutdown()
        transport.shutdown()
        _ = hanging
    }
}
