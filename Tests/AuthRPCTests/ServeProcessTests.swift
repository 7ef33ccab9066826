import AuthRPCClient
import Foundation
import Wire
import XCTest

/// The executable as an operator runs it: configuration errors, SIGTERM.
final class ServeProcessTests: XCTestCase {
    private let env = [
        "COGNITO_REGION": "us-east-1",
        "COGNITO_USER_POOL_ID": "us-east-1_TestPool1",
        "COGNITO_CLIENT_ID": "testclient",
        // Nothing listens here: the JWKS fetch fails and the service still serves.
        "COGNITO_ENDPOINT": "http://127.0.0.1:9/",
    ]

    private func waitForHealth(port: Int) async throws -> Response {
        let end = ContinuousClock.now + .seconds(20)
        while true {
            do {
                let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: port)
                defer { Task { await connection.close() } }
                return try await connection.call(.health(HealthRequest()))
            } catch {
                if ContinuousClock.now > end { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func testSigtermDrainsAndExitsZero() async throws {
        let serve = try ServeProcess(environment: env)
        let health = try await waitForHealth(port: serve.port)
        XCTAssertNotNil(health.body)
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: serve.port)
        serve.terminate()
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 0, serve.stderr)
        let afterExit = try? await connection.call(.health(HealthRequest()))
        XCTAssertNil(afterExit, "the server still answers after exiting")
    }

    /// A Cognito call still running at SIGTERM is answered before the process exits 0.
    func testSigtermAnswersWorkInFlight() async throws {
        let hung = try FakeCognitoServer { _ in .hang }
        defer { hung.stop() }
        var settings = env
        settings["COGNITO_ENDPOINT"] = hung.endpoint
        settings["AUTHRPC_COGNITO_TIMEOUT_MS"] = "1500"
        let serve = try ServeProcess(environment: settings)
        _ = try await waitForHealth(port: serve.port)
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: serve.port)
        let inFlight = connection.send(Request(id: 1, body: .forgotPassword(ForgotPasswordRequest(username: "someone"))))
        // The fake also serves the JWKS URL, so wait for the ForgotPassword call itself.
        while !hung.requests.contains(where: { $0.operation == "ForgotPassword" }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        serve.terminate()
        let answer: Response
        do {
            answer = try await inFlight.get()
        } catch {
            _ = await serve.waitForExit(timeout: .seconds(15))
            return XCTFail("in-flight call lost (\(error)); server said:\n\(serve.stderr)")
        }
        XCTAssertEqual(answer.id, 1)
        XCTAssertEqual(answer.status, .unavailable)
        XCTAssertEqual(answer.errorType, "CognitoTimeout")
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 0, serve.stderr)
    }

    func testSigintExitsZero() async throws {
        let serve = try ServeProcess(environment: env)
        _ = try await waitForHealth(port: serve.port)
        serve.terminate(signal: SIGINT)
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 0)
    }

    func testBadConfigurationNamesEveryProblemAndExitsNonZero() async throws {
        let serve = try ServeProcess(environment: ["COGNITO_CLIENT_SECRET": "do-not-print-me", "AUTHRPC_IDLE_TIMEOUT_S": "x"])
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 78)
        let text = serve.stderr
        XCTAssertTrue(text.contains("COGNITO_USER_POOL_ID is required"), text)
        XCTAssertTrue(text.contains("COGNITO_CLIENT_ID is required"), text)
        XCTAssertTrue(text.contains("AUTHRPC_IDLE_TIMEOUT_S"), text)
        XCTAssertFalse(text.contains("do-not-print-me"))
    }

    func testHelpDoesNotShowSecrets() throws {
        let process = Process()
        process.executableURL = ServeProcess.executable
        process.arguments = ["serve", "--help"]
        var environment = ProcessInfo.processInfo.environment
        environment["COGNITO_CLIENT_SECRET"] = "do-not-print-me"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(text.contains("--client-secret"))
        XCTAssertFalse(text.contains("do-not-print-me"))
    }

    // MARK: SPEC §8

    func testNonLoopbackPlaintextListenIsRefusedAtStartUp() async throws {
        let port = try freePort()
        let refused = try ServeProcess(environment: env, arguments: ["--listen", "0.0.0.0:\(port)"])
        let status = await refused.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 78)
        XCTAssertTrue(refused.stderr.contains("AUTHRPC_ALLOW_PLAINTEXT=1"), refused.stderr)

        var allowed = env
        allowed["AUTHRPC_ALLOW_PLAINTEXT"] = "1"
        let serve = try ServeProcess(environment: allowed, arguments: ["--listen", "0.0.0.0:\(port)"])
        _ = try await waitForHealth(port: port)
        serve.terminate()
        _ = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertTrue(serve.stderr.contains("serving PLAINTEXT on a non-loopback address"), serve.stderr)
    }

    func testUnreadableTLSFileIsAConfigurationError() async throws {
        var settings = env
        settings["AUTHRPC_TLS_CERT"] = "/nonexistent/server.pem"
        settings["AUTHRPC_TLS_KEY"] = "/nonexistent/server.key"
        let serve = try ServeProcess(environment: settings)
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 78)
        XCTAssertTrue(serve.stderr.contains("AUTHRPC_TLS_CERT (/nonexistent/server.pem): no such file"), serve.stderr)
    }

    /// SIGHUP reloads the certificate in the real process (the file check is an hour away),
    /// and the process keeps serving: SIGHUP no longer ends it.
    func testSighupReloadsTheCertificate() async throws {
        let certs = try TestCerts()
        try certs.makeCA("ca2")
        try certs.makeLeaf("server2", cn: "localhost", san: "DNS:localhost,IP:127.0.0.1", ca: "ca2")
        var settings = env
        settings["AUTHRPC_TLS_CERT"] = certs.path("server.pem")
        settings["AUTHRPC_TLS_KEY"] = certs.path("server.key")
        settings["AUTHRPC_TLS_RELOAD_CHECK_S"] = "3600"
        let serve = try ServeProcess(environment: settings)
        let first = try ClientTLS(ClientTLSSettings(caFile: certs.path("ca.pem")))
        let second = try ClientTLS(ClientTLSSettings(caFile: certs.path("ca2.pem")))

        func health(_ tls: ClientTLS, waiting: Duration) async throws -> Response {
            let end = ContinuousClock.now + waiting
            while true {
                do {
                    let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: serve.port, tls: tls)
                    defer { Task { await connection.close() } }
                    return try await connection.call(.health(HealthRequest()))
                } catch {
                    if ContinuousClock.now > end { throw error }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        _ = try await health(first, waiting: .seconds(20))
        try certs.replace("server", with: "server2")
        serve.terminate(signal: SIGHUP)
        _ = try await health(second, waiting: .seconds(10))
        XCTAssertTrue(serve.process.isRunning)
        serve.terminate()
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 0)
        XCTAssertTrue(serve.stderr.contains("trigger=SIGHUP"), serve.stderr)
    }
}
