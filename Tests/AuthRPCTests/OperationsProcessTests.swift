@testable import CurlHTTP
import AuthRPC
import Foundation
import XCTest

/// The executable as an operator deploys it: `--version`, the admin listener of `serve`.
final class OperationsProcessTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = ServeProcess.executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// `authrpc --version`: the version and the build's commit (or "unknown" for a build
    /// `scripts/stamp-build` did not stamp), the same the library reports.
    func testVersionPrintsVersionAndCommit() throws {
        let (status, out) = try run(["--version"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "authrpc \(BuildInfo.version) (commit \(BuildInfo.commit))\n")
        let commit = BuildInfo.commit
        XCTAssertTrue(commit == "unknown" || commit.range(of: #"^[0-9a-f]{12}(-dirty)?$"#, options: .regularExpression) != nil,
                      commit)
    }

    /// `serve` with `AUTHRPC_ADMIN_LISTEN`: probes answer over HTTP; a port already taken
    /// stops start-up with a message that names the setting.
    func testServeAnswersProbesOnTheAdminPortAndRefusesATakenOne() async throws {
        let adminPort = try freePort()
        let env = [
            "COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": "us-east-1_TestPool1", "COGNITO_CLIENT_ID": "testclient",
            "COGNITO_ENDPOINT": "http://127.0.0.1:9/", "AUTHRPC_ADMIN_LISTEN": "127.0.0.1:\(adminPort)",
        ]
        let serve = try ServeProcess(environment: env)
        let transport = CurlHTTPTransport()
        defer { transport.shutdown() }
        func get(_ path: String) async -> HTTPResponse? {
            try? await transport.send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(adminPort)\(path)", timeout: .seconds(3)))
        }
        var health: HTTPResponse?
        let end = ContinuousClock.now + .seconds(20)
        while health == nil && ContinuousClock.now < end {
            health = await get("/healthz")
            if health == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertEqual(health?.status, 200, serve.stderr)
        // Nothing serves the JWKS here: not ready, and it says why.
        let ready = await get("/readyz")
        XCTAssertEqual(ready?.status, 503)
        XCTAssertTrue(String(decoding: ready?.body ?? [], as: UTF8.self).hasPrefix("not ready: no signing keys yet for "))
        let version = await get("/version")
        XCTAssertEqual(String(decoding: version?.body ?? [], as: UTF8.self),
                       #"{"version":"\#(BuildInfo.version)","commit":"\#(BuildInfo.commit)"}"# + "\n")

        // A second server on the same admin port does not start.
        let second = try ServeProcess(environment: env)
        let status = await second.waitForExit(timeout: .seconds(15))
        XCTAssertNotNil(status)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(second.stderr.contains("AUTHRPC_ADMIN_LISTEN"), second.stderr)

        serve.terminate()
        let exit = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(exit, 0, serve.stderr)
    }
}
