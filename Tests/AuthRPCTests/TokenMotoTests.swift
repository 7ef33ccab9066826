import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Logging
import Foundation
import NIOPosix
import Wire
import XCTest

/// Tokens issued by moto (the local Cognito, `scripts/dev_cognito.py`), verified against
/// moto's own JWKS: the claims mapping on tokens shaped exactly like Cognito's, not only on
/// the ones these tests mint. Skipped when python3 with moto and boto3 is not installed
/// (`scripts/install-deps` installs them).
final class TokenMotoTests: XCTestCase {
    struct MotoTokens: Decodable {
        let id: String
        let access: String
        let jwks: String
    }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testMotoTokensVerifyAndMapToClaims() async throws {
        let (probe, _) = try run(["python3", "-c", "import moto.server, boto3, flask_cors"])
        try XCTSkipIf(probe != 0, "python3 with moto[server] and boto3 is not installed")

        let envFile = NSTemporaryDirectory() + "authrpc-moto-\(UUID().uuidString).env"
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        moto.arguments = ["python3", Self.repoRoot.appendingPathComponent("scripts/dev_cognito.py").path,
                          "serve", "--env-file", envFile, "--port", "0", "--quiet", "--exit-with-parent"]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        defer {
            // SIGKILL: a child started from a Swift concurrency thread may inherit a mask that
            // blocks SIGTERM, and this moto holds nothing worth a clean exit.
            if moto.isRunning { kill(moto.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(atPath: envFile)
        }
        let started = await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: envFile) }
        try XCTSkipUnless(started, "moto did not start")
        var env: [String: String] = [:]
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        let endpoint = try XCTUnwrap(env["COGNITO_ENDPOINT"]), poolID = try XCTUnwrap(env["COGNITO_USER_POOL_ID"])
        let clientID = try XCTUnwrap(env["COGNITO_CLIENT_ID"])

        // Sign in as the demo user and fetch the JWKS, with boto3 and urllib (dummy credentials).
        let script = """
        import json, os, urllib.request, boto3
        c = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=os.environ["EP"],
                         aws_access_key_id="testing", aws_secret_access_key="testing")
        r = c.initiate_auth(ClientId=os.environ["CID"], AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": os.environ["U"], "PASSWORD": os.environ["P"]})["AuthenticationResult"]
        jwks = urllib.request.urlopen(os.environ["EP"] + os.environ["POOL"] + "/.well-known/jwks.json").read().decode()
        print(json.dumps({"id": r["IdToken"], "access": r["AccessToken"], "jwks": jwks}))
        """
        let (status, output) = try run(["python3", "-c", script], environment: [
            "EP": endpoint, "CID": clientID, "POOL": poolID,
            "U": env["AUTHRPC_DEV_USERNAME"] ?? "demo", "P": env["AUTHRPC_DEV_PASSWORD"] ?? "",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        ])
        XCTAssertEqual(status, 0)
        let tokens = try JSONDecoder().decode(MotoTokens.self, from: Data(output.utf8))

        var config = ServiceConfig()
        let issuer = "https://cognito-idp.us-east-1.amazonaws.com/\(poolID)"
        config.pools = [PoolConfig(poolID: poolID, region: "us-east-1", issuer: issuer,
                                   jwksURL: endpoint + poolID + "/.well-known/jwks.json")]
        config.clientIDs = [clientID]
        let transport = FakeJWKSServer(jwks: tokens.jwks)
        let registry = JWKSRegistry(config: config, transport: transport)
        await registry.start()
        XCTAssertEqual(registry.poolStatuses().first?.keys, 1)
        let verifier = TokenVerifier(config: config, keys: registry)

        let id = try XCTUnwrap(verifier.verify(tokens.id, tokenUse: .id).claims, "\(verifier.verify(tokens.id))")
        XCTAssertEqual(id.username, "demo")
        XCTAssertEqual(id.email, "demo@example.com")
        XCTAssertTrue(id.emailVerified, "moto sends the string \"true\"")
        XCTAssertEqual(id.groups, ["admins"])
        XCTAssertEqual(id.tokenUse, .id)
        XCTAssertEqual(id.clientID, clientID)
        XCTAssertEqual(id.issuer, issuer)
        XCTAssertFalse(id.sub.isEmpty)
        XCTAssertEqual(id.expiresAt - id.issuedAt, 3600)
        XCTAssertFalse(id.jti.isEmpty)
        XCTAssertFalse(id.originJTI.isEmpty)

        let access = try XCTUnwrap(verifier.verify(tokens.access, tokenUse: .access,
                                                   requiredScopes: ["aws.cognito.signin.user.admin"]).claims)
        XCTAssertEqual(access.username, "demo")
        XCTAssertEqual(access.sub, id.sub)
        XCTAssertEqual(access.clientID, clientID)
        XCTAssertEqual(access.scopes, ["aws.cognito.signin.user.admin"])
        XCTAssertEqual(access.originJTI, id.originJTI)

        XCTAssertEqual(verifier.verify(tokens.id, tokenUse: .access).errorType, "WrongTokenUse")
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let request = Request(id: 1, body: .checkGroups(CheckGroupsRequest(token: tokens.access, requiredGroups: ["admins"])))
        let service = AuthRPCService(health: HealthMethod(), verifier: verifier,
                                     cognito: CognitoClient(config: config, transport: transport, logger: Logger(label: "test"), background: testBackground))
        guard case .now(let response) = Dispatcher(service: service).dispatch(request, on: loop) else {
            return XCTFail("expected .now")
        }
        XCTAssertEqual(response.status, .ok)
        await registry.shutdown()
    }
}
