@testable import AuthRPC
import AuthRPCClient
import CognitoIdentity
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TokenVerification
import Wire
import XCTest

/// What a `JSONLogHandler` wrote, line by line.
final class JSONLineCapture: Sendable {
    private let lines = NIOLockedValueBox<[[UInt8]]>([])

    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in
            JSONLogHandler(label: label, sink: { line in self.lines.withLockedValue { $0.append(line) } })
        }
        logger.logLevel = .trace
        return logger
    }

    var raw: [[UInt8]] { lines.withLockedValue { $0 } }
    var text: String { raw.map { String(decoding: $0, as: UTF8.self) }.joined() }

    /// Every line as a JSON object; a line that is not one fails the test.
    func objects(file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        raw.compactMap { bytes in
            XCTAssertEqual(bytes.last, UInt8(ascii: "\n"), "a record ends its line", file: file, line: line)
            XCTAssertEqual(bytes.filter { $0 == UInt8(ascii: "\n") }.count, 1, "one record, one line", file: file, line: line)
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                XCTFail("not a JSON object: \(String(decoding: bytes, as: UTF8.self))", file: file, line: line)
                return nil
            }
            return object
        }
    }
}

/// SPEC §9 logs: JSON lines, the access and audit lines and their fields, trace context,
/// token fingerprints, the settings, and what is never written.
final class LogsTests: XCTestCase {
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func tearDown() async throws {
        try await clientGroup.shutdownGracefully()
    }

    // MARK: JSON lines

    func testJSONLinesParseWithFixedKeysAndFlattenedMetadata() throws {
        let capture = JSONLineCapture()
        var logger = capture.logger(label: "authrpc.test")
        logger[metadataKey: "handler_field"] = "h"
        logger.info("quote \" backslash \\ newline \n tab \t bell \u{07} zoë", metadata: [
            "plain": "v", "nested": ["a": "1", "b": ["c": "2"]], "list": ["x", "y"], "msg": "collides", "ts": "too",
        ])
        logger.debug("second")
        let objects = capture.objects()
        XCTAssertEqual(objects.count, 2)
        let first = try XCTUnwrap(objects.first)
        XCTAssertEqual(first["level"] as? String, "info")
        XCTAssertEqual(first["label"] as? String, "authrpc.test")
        XCTAssertEqual(first["msg"] as? String, "quote \" backslash \\ newline \n tab \t bell \u{07} zoë")
        let ts = try XCTUnwrap(first["ts"] as? String)
        XCTAssertNotNil(ts.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#, options: .regularExpression), ts)
        XCTAssertEqual(first["plain"] as? String, "v")
        XCTAssertEqual(first["nested.a"] as? String, "1")
        XCTAssertEqual(first["nested.b.c"] as? String, "2")
        XCTAssertEqual(first["list"] as? [String], ["x", "y"])
        XCTAssertEqual(first["meta.msg"] as? String, "collides", "a metadata key never replaces a fixed one")
        XCTAssertEqual(first["meta.ts"] as? String, "too")
        XCTAssertEqual(first["handler_field"] as? String, "h")
        XCTAssertEqual(objects[1]["level"] as? String, "debug")
        XCTAssertTrue(capture.text.hasPrefix(#"{"ts":""#), "the fixed keys come first")
    }

    func testLogFormatAndAccessLogSettings() throws {
        let base = ["COGNITO_USER_POOL_ID": "us-east-1_abc", "COGNITO_CLIENT_ID": "client"]
        let defaults = try ServiceConfig.load(from: base)
        XCTAssertEqual(defaults.logFormat, .text)
        XCTAssertEqual(defaults.accessLog, .failures)
        let set = try ServiceConfig.load(from: base.merging(["AUTHRPC_LOG_FORMAT": "JSON", "AUTHRPC_ACCESS_LOG": "all"]) { $1 })
        XCTAssertEqual(set.logFormat, .json)
        XCTAssertEqual(set.accessLog, .all)
        XCTAssertThrowsError(try ServiceConfig.load(from: base.merging(
            ["AUTHRPC_LOG_FORMAT": "xml", "AUTHRPC_ACCESS_LOG": "some", "AUTHRPC_LOG_LEVEL": "loud"]) { $1 })) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("AUTHRPC_LOG_FORMAT must be text or json (got \"xml\")"), text)
            XCTAssertTrue(text.contains("AUTHRPC_ACCESS_LOG must be off, failures or all (got \"some\")"), text)
            XCTAssertTrue(text.contains("AUTHRPC_LOG_LEVEL"), "every problem is collected: \(text)")
        }
    }

    func testTheApplicationsChainHasTheAuditLogAndTheAccessLogUnlessOff() {
        var config = ServiceConfig()
        let logger = Logger(label: "chain")
        let chain = AuthRPCApplication.interceptors(config: config, policy: nil, logger: logger)
        XCTAssertTrue(chain.contains { $0 is AuditLog } && chain.contains { $0 is AccessLog })
        config.accessLog = .off
        let off = AuthRPCApplication.interceptors(config: config, policy: nil, logger: logger)
        XCTAssertTrue(off.contains { $0 is AuditLog }, "the audit log is not an option")
        XCTAssertFalse(off.contains { $0 is AccessLog })
    }

    // MARK: trace context and token names

    func testTraceContextReadsW3CTraceparentAndIgnoresTheRest() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        XCTAssertEqual(TraceContext(valid)?.traceID, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(TraceContext(valid)?.parentID, "00f067aa0ba902b7")
        XCTAssertEqual(TraceContext("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later")?.traceID,
                       "4bf92f3577b34da6a3ce929d0e0e4736", "a later version may add fields")
        for invalid in [
            "", "garbage", valid + "-x",  // version 00 is exactly 55 characters
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",  // dashes misplaced
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        ] {
            XCTAssertNil(TraceContext(invalid), invalid)
        }
    }

    // MARK: access and audit lines over a real connection

    /// Default mode: a successful call writes nothing, a refused token one line with every
    /// field; an account operation one audit line; the token, password and username never.
    func testAccessAndAuditLinesCarryTheFieldsAndTheTraceID() async throws {
        let access = JSONLineCapture(), audit = JSONLineCapture()
        let server = try await TestServer.start(dispatcher: testDispatcher(), interceptors: [
            AuditLog(logger: audit.logger(label: "authrpc.audit")),
            AccessLog(logger: access.logger(label: "authrpc.access"), mode: .failures),
        ])
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        let password = "Secret-Passw0rd", username = "carol-\(UUID().uuidString.prefix(8))"
        let perTask = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let perClient = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
        var options = AuthRPCClient.Options()
        options.traceparent = perClient
        let client = AuthRPCClient(addresses: [.init(host: "127.0.0.1", port: server.port)], options: options,
                                   group: clientGroup)
        _ = try await client.health()
        try await AuthRPCClient.$traceparent.withValue(perTask) {
            await XCTAssertThrowsErrorAsync(try await client.verifyToken(VerifyTokenRequest(token: token)))
        }
        await XCTAssertThrowsErrorAsync(
            try await client.authenticate(AuthenticateRequest(username: username, password: password)))
        await client.close()
        await server.stop()

        let accessLines = access.objects()
        XCTAssertEqual(accessLines.map { $0["method"] as? String }, ["VerifyToken", "Authenticate"],
                       "failures only: Health was OK")
        let verify = accessLines[0]
        XCTAssertEqual(verify["label"] as? String, "authrpc.access")
        XCTAssertEqual(verify["level"] as? String, "info")
        XCTAssertEqual(verify["status"] as? String, "UNIMPLEMENTED")
        XCTAssertEqual(verify["error_type"] as? String, "NotImplemented")
        XCTAssertEqual(verify["trace_id"] as? String, "0af7651916cd43dd8448eb211c80319c", "the task's traceparent wins")
        XCTAssertEqual(verify["parent_id"] as? String, "b7ad6b7169203331")
        XCTAssertEqual(verify["token_sha256"] as? String, TokenFingerprint.of(token))
        XCTAssertNotNil(Int(verify["duration_us"] as? String ?? ""))
        XCTAssertNotNil(UInt64(verify["request_id"] as? String ?? ""))
        XCTAssertTrue((verify["peer"] as? String ?? "").hasPrefix("127.0.0.1:"), "\(verify)")
        XCTAssertNil(verify["caller"], "no TLS, no caller")
        XCTAssertEqual(accessLines[1]["trace_id"] as? String, "4bf92f3577b34da6a3ce929d0e0e4736", "the client's default")

        let auditLines = audit.objects()
        XCTAssertEqual(auditLines.count, 1, "one account operation; VerifyToken and Health are not audited")
        XCTAssertEqual(auditLines.first?["event"] as? String, "account_operation")
        XCTAssertEqual(auditLines.first?["method"] as? String, "Authenticate")
        XCTAssertEqual(auditLines.first?["trace_id"] as? String, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(auditLines.first?["status"] as? String, "UNIMPLEMENTED")

        let everything = access.text + audit.text
        for secret in [token, password, username] {
            XCTAssertFalse(everything.contains(secret), "\(secret.prefix(4))… in the logs: \(everything)")
        }
    }

    func testAllModeLogsSuccessesAndAnInvalidTraceparentIsIgnored() async throws {
        let access = JSONLineCapture()
        let server = try await TestServer.start(dispatcher: testDispatcher(), interceptors: [
            AccessLog(logger: access.logger(label: "authrpc.access"), mode: .all),
        ])
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
        let answer = try await connection.call(.health(HealthRequest()), traceparent: "not-a-traceparent")
        XCTAssertEqual(answer.status, .ok, "a malformed traceparent is not an error")
        await connection.close()
        await server.stop()
        let lines = access.objects()
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["status"] as? String, "OK")
        XCTAssertNil(lines.first?["error_type"])
        XCTAssertNil(lines.first?["trace_id"])
    }

    // MARK: what Cognito echoes

    func testRedactorScrubsEchoedIdentifiersInAnyCase() {
        let redactor = Redactor(["Secret-Passw0rd"], identifiers: ["Alice", "alice@example.com", ""])
        XCTAssertEqual(redactor.clean("UsernameExistsException (HTTP 400): alice"),
                       "UsernameExistsException (HTTP 400): <redacted>")
        XCTAssertFalse(redactor.clean("user ALICE@EXAMPLE.COM exists").lowercased().contains("alice"))
        XCTAssertEqual(redactor.message("User alice already exists", fallback: "fallback"), "fallback",
                       "a client logs Response.message: no echoed username there either")
        XCTAssertEqual(redactor.message("Password did not conform with policy", fallback: "fallback"),
                       "Password did not conform with policy")
    }
}

/// `XCTAssertThrowsError` for async expressions.
func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await expression()
        XCTFail("no error thrown", file: file, line: line)
    } catch {}
}
