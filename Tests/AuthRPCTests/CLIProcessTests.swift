import TokenMinting
@testable import CurlHTTP
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import Wire
import XCTest

/// `authrpc call` and `authrpc bench verify` as a person or a script runs them: the built
/// binary as a child process, against a real server on a free loopback port over TCP.
/// Exit codes: 0 OK, 1 rejected by the service, 2 usage, 3 transport (CLIExit).
final class CLIProcessTests: XCTestCase {
    /// A real server trusting `TestKeys.idKey`, with Cognito at `cognitoEndpoint`.
    private func startServer(cognitoEndpoint: String = "http://127.0.0.1:9/") async throws -> (TestServer, JWKSRegistry) {
        let jwks = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID()).json")
        try DevTokenSigner.jwksJSON([TestKeys.idKey]).write(to: jwks, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: jwks) }
        var config = try ServiceConfig.load(from: [
            "COGNITO_USER_POOL_ID": TestKeys.poolID, "COGNITO_CLIENT_ID": TestKeys.clientID,
            "COGNITO_JWKS_URL": jwks.absoluteString, "COGNITO_ENDPOINT": cognitoEndpoint,
        ])
        config.listenPort = 0
        let transport = CurlHTTPTransport()
        let keys = JWKSRegistry(config: config, transport: transport)
        await keys.start()
        let dispatcher = Dispatcher(service: realService(config: config, keys: keys, transport: transport))
        return (try await TestServer.start(dispatcher: dispatcher) { $0 = config }, keys)
    }

    /// An id token in the pool the server trusts, in groups admins and Readers.
    private func idToken(issuer: String = TestKeys.issuer) -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iss: issuer, exp: now + 3600, iat: now - 10))
    }

    struct Run {
        let status: Int32
        let out: String
        let err: String
    }

    /// Runs `authrpc ARGUMENTS` with `stdin` as its standard input (empty when nil) and
    /// the environment cleared of AUTHRPC_* and COGNITO_* apart from `environment`.
    /// Output goes to files, so neither stream can fill a pipe and stall the child.
    private func authrpc(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-run-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err"),
            inURL = dir.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))
        let process = Process()
        process.executableURL = ServeProcess.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COGNITO_") && !$0.key.hasPrefix("AUTHRPC_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL),
            input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let end = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            XCTFail("authrpc \(arguments.joined(separator: " ")) did not finish in 60 s")
        }
        process.waitUntilExit()
        try out.close(); try err.close(); try input.close()
        return Run(status: process.terminationStatus,
                   out: try String(contentsOf: outURL, encoding: .utf8), err: try String(contentsOf: errURL, encoding: .utf8))
    }

    private func tokenFile(_ tokens: [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cli-tokens-\(UUID()).txt")
        try (tokens.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        return file.path
    }

    // MARK: exit codes

    /// 0 for an OK answer, 1 for a rejection, 2 for a usage error (with the subcommand's
    /// usage), 3 when nothing listens, with a line that says so instead of a NIO error value.
    func testExitCodesSeparateOKRejectedUsageAndTransport() async throws {
        let (server, keys) = try await startServer()
        let address = "127.0.0.1:\(server.port)"

        let ok = try await authrpc(["call", "verify-token", "--address", address, "--token", idToken()])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains(#""username": "alice""#), ok.out)

        let rejected = try await authrpc(["call", "verify-token", "--address", address, "--token", "not.a.token"])
        XCTAssertEqual(rejected.status, 1, rejected.err)
        XCTAssertTrue(rejected.out.contains(#""error_type": "MalformedToken""#), rejected.out)

        let usage = try await authrpc(["call", "verify-token", "--address", address, "--no-such-flag"])
        XCTAssertEqual(usage.status, 2, usage.err)
        XCTAssertTrue(usage.err.contains("Usage: authrpc call verify-token"), usage.err)

        let nobody = try freePort()
        let refused = try await authrpc(["call", "health", "--address", "127.0.0.1:\(nobody)"])
        XCTAssertEqual(refused.status, 3)
        XCTAssertEqual(refused.err, "authrpc: cannot connect to 127.0.0.1:\(nobody): connection refused\n")
        XCTAssertEqual(refused.out, "")

        let benchRefused = try await authrpc(["bench", "verify", "--address", "127.0.0.1:\(nobody)",
                                              "--tokens", try tokenFile([idToken()]), "--requests", "10"])
        XCTAssertEqual(benchRefused.status, 3)
        XCTAssertEqual(benchRefused.err, "authrpc: cannot connect to 127.0.0.1:\(nobody): connection refused\n")

        // The codes are documented where a user looks first.
        let help = try await authrpc(["call", "--help"])
        XCTAssertEqual(help.status, 0)
        for words in ["0 the service answered OK", "1 it answered, not OK", "2 usage error", "3 the server could not be reached"] {
            XCTAssertTrue(help.out.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ")
                .contains(words), "missing \"\(words)\" in:\n\(help.out)")
        }
        await server.stop()
        await keys.shutdown()
    }

    /// A mistake `run()` finds (no token on the command line or on standard input, an
    /// empty token file) shows the usage of the subcommand that was run, not the root's.
    func testRunTimeUsageErrorsShowTheSubcommandsUsage() async throws {
        let noToken = try await authrpc(["call", "verify-token", "--address", "127.0.0.1:9"])
        XCTAssertEqual(noToken.status, 2, noToken.err)
        XCTAssertTrue(noToken.err.hasPrefix("Error: no token given: pass --token or one line on standard input\n"), noToken.err)
        XCTAssertTrue(noToken.err.contains("Usage: authrpc call verify-token"), noToken.err)
        XCTAssertTrue(noToken.err.contains("See 'authrpc call verify-token --help'"), noToken.err)

        let empty = try tokenFile([])
        let bench = try await authrpc(["bench", "verify", "--address", "127.0.0.1:9", "--tokens", empty])
        XCTAssertEqual(bench.status, 2, bench.err)
        XCTAssertTrue(bench.err.contains("holds no tokens"), bench.err)
        XCTAssertTrue(bench.err.contains("Usage: authrpc bench verify"), bench.err)

        let badAddress = try await authrpc(["call", "health"], environment: ["AUTHRPC_ADDRESS": "nowhere"])
        XCTAssertEqual(badAddress.status, 2, badAddress.err)
        XCTAssertTrue(badAddress.err.contains("AUTHRPC_ADDRESS must be HOST:PORT"), badAddress.err)
        XCTAssertTrue(badAddress.err.contains("Usage: authrpc call health"), badAddress.err)
    }

    // MARK: call

    /// `--use` is any, id or access in the help and on the command line; the wire
    /// numbers are neither offered nor taken.
    func testUseTakesNamesInHelpAndParsing() async throws {
        let (server, keys) = try await startServer()
        let address = "127.0.0.1:\(server.port)"
        for command in [["call", "verify-token"], ["call", "check-groups"], ["bench", "verify"]] {
            let help = try await authrpc(command + ["--help"])
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.out.contains("--use <use>"), help.out)
            XCTAssertTrue(help.out.contains("access"), help.out)
            XCTAssertFalse(help.out.contains("0|1|2") || help.out.contains("values: 0"), help.out)
        }
        let asID = try await authrpc(["call", "verify-token", "--address", address, "--token", idToken(), "--use", "id"])
        XCTAssertEqual(asID.status, 0, asID.err + asID.out)
        let asAccess = try await authrpc(["call", "verify-token", "--address", address, "--token", idToken(), "--use", "access"])
        XCTAssertEqual(asAccess.status, 1, asAccess.err)
        XCTAssertTrue(asAccess.out.contains(#""error_type": "WrongTokenUse""#), asAccess.out)
        let number = try await authrpc(["call", "verify-token", "--address", address, "--token", idToken(), "--use", "1"])
        XCTAssertEqual(number.status, 2)
        XCTAssertTrue(number.err.contains("--use"), number.err)
        await server.stop()
        await keys.shutdown()
    }

    /// `--required admins,Readers` is two groups (the token has both); one group named
    /// "admins,Readers" would fail the rule.
    func testGroupListsAreCommaSeparated() async throws {
        let (server, keys) = try await startServer()
        let address = "127.0.0.1:\(server.port)"
        let both = try await authrpc(["call", "check-groups", "--address", address, "--token", idToken(),
                                      "--required", "admins,Readers", "--prohibited", "suspended, banned"])
        XCTAssertEqual(both.status, 0, both.out + both.err)
        let prohibited = try await authrpc(["call", "check-groups", "--address", address, "--token", idToken(),
                                            "--prohibited", "suspended,Readers"])
        XCTAssertEqual(prohibited.status, 1, prohibited.err)
        XCTAssertTrue(prohibited.out.contains(#""error_type": "GroupCheckFailed""#), prohibited.out)
        await server.stop()
        await keys.shutdown()
    }

    /// Tokens and challenge answers come from standard input when their flags are left
    /// out, so they stay out of `ps` and shell history.
    func testTokenSessionAndChallengeResponsesFromStandardInput() async throws {
        let cognito = try FakeCognitoServer { _ in .cognitoError("CodeMismatchException", "Invalid session") }
        defer { cognito.stop() }
        let (server, keys) = try await startServer(cognitoEndpoint: cognito.endpoint)
        let address = "127.0.0.1:\(server.port)"

        let verified = try await authrpc(["call", "verify-token", "--address", address], stdin: idToken() + "\n")
        XCTAssertEqual(verified.status, 0, verified.err + verified.out)
        XCTAssertTrue(verified.out.contains(#""username": "alice""#), verified.out)
        let checked = try await authrpc(["call", "check-groups", "--address", address, "--allowed", "admins"],
                                        stdin: idToken() + "\n")
        XCTAssertEqual(checked.status, 0, checked.err + checked.out)

        let answered = try await authrpc(
            ["call", "respond-to-challenge", "--address", address, "--username", "alice",
             "--challenge-name", "NEW_PASSWORD_REQUIRED", "--response", "NEW_PASSWORD", "--response", "userAttributes.name=Alice"],
            stdin: "session-from-stdin\nN3wPassw0rd-from-stdin\n")
        XCTAssertEqual(answered.status, 1, answered.err)  // the fake Cognito refuses it
        let call = try XCTUnwrap(cognito.requests.first { $0.operation == "RespondToAuthChallenge" })
        XCTAssertEqual(call.json["Session"] as? String, "session-from-stdin")
        let responses = call.json["ChallengeResponses"] as? [String: String]
        XCTAssertEqual(responses?["NEW_PASSWORD"], "N3wPassw0rd-from-stdin")
        XCTAssertEqual(responses?["userAttributes.name"], "Alice")
        await server.stop()
        await keys.shutdown()
    }

    // MARK: bench verify

    /// `AUTHRPC_ADDRESS` names the server as it does for `call`; `--duration` takes
    /// units; no progress line when standard error is not a terminal; mean and stdev
    /// beside the percentiles.
    func testBenchVerifyHonoursAddressEnvironmentAndDurationUnits() async throws {
        let (server, keys) = try await startServer()
        let tokens = try tokenFile([idToken()])
        let run = try await authrpc(["bench", "verify", "--tokens", tokens, "--connections", "2", "--depth", "4",
                                     "--duration", "1500ms", "--json"],
                                    environment: ["AUTHRPC_ADDRESS": "127.0.0.1:\(server.port)"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertFalse(run.err.contains("answered"), "progress line written to a file:\n\(run.err)")
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any], run.out)
        let elapsed = try XCTUnwrap(report["elapsed_seconds"] as? Double)
        XCTAssertGreaterThan(elapsed, 1.4, run.out)  // 1500 ms, not 1500 s and not 1 s
        XCTAssertLessThan(elapsed, 10, run.out)
        XCTAssertEqual(report["unexpected"] as? Int, 0, run.out)
        let outcomes = try XCTUnwrap(report["outcomes"] as? [String: Int])
        XCTAssertEqual(outcomes.keys.sorted(), ["OK"], run.out)
        let latency = try XCTUnwrap(report["latency_us"] as? [String: Double], run.out)
        let mean = try XCTUnwrap(latency["mean"])
        let stdev = try XCTUnwrap(latency["stdev"])
        XCTAssertGreaterThan(mean, 0)
        XCTAssertLessThanOrEqual(mean, latency["max"] ?? 0)
        XCTAssertGreaterThanOrEqual(stdev, 0)

        let text = try await authrpc(["bench", "verify", "--tokens", tokens, "--connections", "1", "--depth", "1",
                                      "--requests", "50"],
                                     environment: ["AUTHRPC_ADDRESS": "127.0.0.1:\(server.port)"])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("latency (us): mean "), text.out)
        XCTAssertTrue(text.out.contains(" stdev "), text.out)
        await server.stop()
        await keys.shutdown()
    }

    /// A benchmark whose every answer is WrongIssuer (tokens for another pool: the wrong
    /// server) fails, saying why; `--max-errors 100` lets it pass on purpose.
    func testBenchVerifyFailsAboveMaxErrors() async throws {
        let (server, keys) = try await startServer()
        let address = "127.0.0.1:\(server.port)"
        let wrongPool = try tokenFile([idToken(issuer: TestKeys.otherIssuer)])
        let failed = try await authrpc(["bench", "verify", "--address", address, "--tokens", wrongPool,
                                        "--connections", "1", "--depth", "4", "--requests", "200"])
        XCTAssertEqual(failed.status, 1, failed.err)
        XCTAssertTrue(failed.out.contains("UNAUTHENTICATED/WrongIssuer: 200"), failed.out)
        XCTAssertTrue(failed.err.contains("100% of 200 requests did not get the answer their token was made for"), failed.err)
        XCTAssertTrue(failed.err.contains("UNAUTHENTICATED/WrongIssuer: 200"), failed.err)
        XCTAssertTrue(failed.err.contains("above --max-errors 0%"), failed.err)

        // Half the tokens good: 50% is above 10%, and within 50%.
        let half = try tokenFile([idToken(), idToken(issuer: TestKeys.otherIssuer)])
        let over = try await authrpc(["bench", "verify", "--address", address, "--tokens", half, "--connections", "1",
                                      "--depth", "1", "--requests", "100", "--max-errors", "10%"])
        XCTAssertEqual(over.status, 1, over.err)
        let within = try await authrpc(["bench", "verify", "--address", address, "--tokens", half, "--connections", "1",
                                        "--depth", "1", "--requests", "100", "--max-errors", "50"])
        XCTAssertEqual(within.status, 0, within.err)
        await server.stop()
        await keys.shutdown()
    }
}
