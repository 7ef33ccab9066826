@testable import AuthRPC
import AuthRPCClient
import Foundation
import Logging
import NIOCore
import Wire
import XCTest

/// SPEC §8 caller policy: the file's checks, the decisions, the audit line, reloads —
/// and SIGHUP on the real executable.
final class CallerPolicyTests: XCTestCase {
    private static let gateway = "spiffe://authrpc.local/gateway"
    private static let orders = "spiffe://authrpc.local/orders"
    private static let typical = """
        {"callers": {
          "spiffe://authrpc.local/gateway": ["*"],
          "spiffe://authrpc.local/orders": ["VerifyToken", "CheckGroups", "Health"],
          "*": ["Health"]
        }}
        """

    private func policy(_ json: String) throws(CallerPolicyError) -> CallerPolicy {
        try CallerPolicy.parse(Data(json.utf8), source: "policy.json")
    }

    private func problems(_ json: String) -> String {
        do {
            _ = try policy(json)
            return "accepted"
        } catch {
            return error.description
        }
    }

    func testWhoMayCallWhat() throws {
        let p = try policy(Self.typical)
        XCTAssertTrue(p.allows(Self.gateway, .authenticate))
        XCTAssertTrue(p.allows(Self.gateway, .register))
        XCTAssertFalse(p.allows(Self.orders, .authenticate))
        XCTAssertTrue(p.allows(Self.orders, .verifyToken))
        XCTAssertTrue(p.allows(Self.gateway, .verifyToken))
        XCTAssertFalse(p.allows("spiffe://authrpc.local/other", .verifyToken), "unnamed callers get *")
        XCTAssertTrue(p.allows(nil, .health), "a plaintext caller has no identity and gets *")
        XCTAssertFalse(p.allows(nil, .verifyToken))
        XCTAssertFalse(try policy(#"{"callers": {"a.example": ["Health"]}}"#).allows("b.example", .health),
                       "no * entry: an unnamed caller may call nothing")
    }

    func testEveryMistakeInTheFileIsNamed() {
        XCTAssertTrue(problems(#"{"callers": {"*": ["VerifyTokens"]}}"#).contains("unknown method \"VerifyTokens\""))
        XCTAssertTrue(problems(#"{"callers": {"spiffe://authrpc.local/*": ["Health"]}}"#).contains("wildcard"))
        XCTAssertTrue(problems(#"{"callers": {"spiffe://authrpc.local": ["Health"]}}"#).contains("names no workload"))
        XCTAssertTrue(problems(#"{"callers": {"https://x/y": ["Health"]}}"#).contains("not spiffe://"))
        XCTAssertTrue(problems(#"{"callers": {"spiffe://Upper.Case/w": ["Health"]}}"#).contains("trust domain"))
        XCTAssertTrue(problems(#"{"callers": {"a\u0001b": ["Health"]}}"#).contains("control character"))
        XCTAssertTrue(problems(#"{"callers": {"": ["Health"]}}"#).contains("is empty"))
        XCTAssertTrue(problems(#"{"callers": {"x": "Health"}}"#).contains("list of method names"))
        XCTAssertTrue(problems(#"{"caller": {}}"#).contains("unknown key \"caller\""))
        XCTAssertTrue(problems("not json").contains("not valid JSON"))
        let two = problems(#"{"callers": {"*": ["Nope"], "svc.example": ["Health", "Neither"]}}"#)
        XCTAssertTrue(two.contains("\"Nope\"") && two.contains("\"Neither\""), "every problem, not the first: \(two)")
        XCTAssertEqual(problems(#"{"callers": {"orders.svc.cluster.local": ["Health"], "CN with spaces": ["*"]}}"#),
                       "accepted", "DNS names and CNs are identities too")
    }

    func testABadPolicyFileFailsStartUp() throws {
        let file = try temporaryFile(#"{"callers": {"*": ["Authenticat"]}}"#)
        let settings = ["COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": "us-east-1_Test1",
                        "COGNITO_CLIENT_ID": "client1", "AUTHRPC_POLICY_FILE": file]
        XCTAssertThrowsError(try ServiceConfig.load(from: settings)) { error in
            XCTAssertTrue("\(error)".contains("AUTHRPC_POLICY_FILE") && "\(error)".contains("\"Authenticat\""), "\(error)")
        }
        var missing = settings
        missing["AUTHRPC_POLICY_FILE"] = file + ".absent"
        XCTAssertThrowsError(try ServiceConfig.load(from: missing)) { XCTAssertTrue("\($0)".contains("cannot read"), "\($0)") }
    }

    func testDenialAnswersCallerNotAllowedAndIsAudited() throws {
        let audit = LogCapture()
        let gate = CallerPolicyGate(policy: try policy(Self.typical), logger: Logger(label: "test"))
        let auditLog = AuditLog(logger: audit.logger(label: "audit"))
        let orders = ConnectionInfo(peer: try SocketAddress(ipAddress: "10.0.0.7", port: 41000),
                                    isTLS: true, caller: CallerIdentity(name: Self.orders, source: .uriSAN))
        let gateway = ConnectionInfo(isTLS: true, caller: CallerIdentity(name: Self.gateway, source: .uriSAN))
        func call(_ method: Method, _ connection: ConnectionInfo) -> Call {
            Call(method: method, requestID: 9, connection: connection, started: .now())
        }
        let request = Request(id: 9, body: .authenticate(AuthenticateRequest(username: "alice", password: "pw")))
        let denial = try XCTUnwrap(gate.admit(call(.authenticate, orders), request: request))
        auditLog.completed(call(.authenticate, orders), answer: denial, duration: .microseconds(5), admitted: false)
        XCTAssertEqual(denial.status, .permissionDenied)
        XCTAssertEqual(denial.errorType, "CallerNotAllowed")
        XCTAssertTrue(denial.message.contains("Authenticate"), denial.message)
        XCTAssertEqual(denial.id, 9)
        XCTAssertNil(gate.admit(call(.authenticate, gateway), request: request))
        XCTAssertNil(gate.admit(call(.verifyToken, orders), request: request))
        XCTAssertNil(gate.admit(call(.verifyToken, gateway), request: request))
        auditLog.completed(call(.verifyToken, gateway), answer: Response(id: 9, status: .ok), duration: .zero, admitted: true)

        let lines = audit.all
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines[0].contains("caller=\(Self.orders)") && lines[0].contains("method=Authenticate")
                      && lines[0].contains("peer=") && lines[0].contains("event=caller_denied"), lines[0])
        XCTAssertFalse(lines[0].contains("alice") || lines[0].contains("pw"), "no request field in the audit line")
    }

    func testReloadReplacesThePolicyAndABrokenFileKeepsIt() throws {
        let file = try temporaryFile(Self.typical)
        let log = LogCapture()
        let gate = CallerPolicyGate(policy: try CallerPolicy.load(path: file), path: file, logger: log.logger(label: "l"))
        let orders = ConnectionInfo(isTLS: true, caller: CallerIdentity(name: Self.orders, source: .uriSAN))
        let request = Request(id: 1, body: .health(HealthRequest()))
        let verify = Call(method: .verifyToken, requestID: 1, connection: orders, started: .now())
        XCTAssertNil(gate.admit(verify, request: request))

        try #"{"callers": {"spiffe://authrpc.local/orders": ["Health"]}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try gate.reload().get())
        XCTAssertNotNil(gate.admit(verify, request: request), "the new policy is in force at once")

        try #"{"callers": {"*": ["VerifyTokenz"]}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try gate.reload().get())
        XCTAssertTrue(log.all.contains { $0.contains("not reloaded") && $0.contains("VerifyTokenz") }, "\(log.all)")
        XCTAssertNotNil(gate.admit(verify, request: request), "a broken file changes nothing")
        let health = Call(method: .health, requestID: 1, connection: orders, started: .now())
        XCTAssertNil(gate.admit(health, request: request))
    }

    /// The executable: a policy denies, SIGHUP after editing the file lets the call through.
    func testSighupReloadsThePolicyOfTheRunningServer() async throws {
        let file = try temporaryFile(#"{"callers": {"*": ["VerifyToken"]}}"#)
        let serve = try ServeProcess(environment: [
            "COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": "us-east-1_TestPool1",
            "COGNITO_CLIENT_ID": "testclient", "COGNITO_ENDPOINT": "http://127.0.0.1:9/",
            "AUTHRPC_POLICY_FILE": file,
        ])
        let denied = try await healthAnswer(port: serve.port)
        XCTAssertEqual(denied.errorType, "CallerNotAllowed")
        XCTAssertEqual(denied.status, .permissionDenied)

        try #"{"callers": {"*": ["VerifyToken", "Health"]}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        serve.terminate(signal: SIGHUP)
        let end = ContinuousClock.now + .seconds(10)
        var answer = denied
        while answer.errorType == "CallerNotAllowed" && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(50))
            answer = try await healthAnswer(port: serve.port)
        }
        XCTAssertNotEqual(answer.errorType, "CallerNotAllowed", "SIGHUP reloaded the policy")
        XCTAssertNotNil(answer.body, "Health answered")
        serve.terminate()
        let status = await serve.waitForExit(timeout: .seconds(15))
        XCTAssertEqual(status, 0, "SIGHUP did not stop the server; SIGTERM does")
    }

    private func healthAnswer(port: Int) async throws -> Response {
        let end = ContinuousClock.now + .seconds(20)
        while true {
            do {
                let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: port)
                let answer = try await connection.call(.health(HealthRequest()))
                await connection.close()
                return answer
            } catch {
                if ContinuousClock.now > end { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
