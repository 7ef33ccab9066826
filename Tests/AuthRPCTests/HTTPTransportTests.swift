@testable import CurlHTTP
@testable import AuthRPC
import Foundation
import XCTest

/// `CurlHTTPTransport` against a loopback NIOHTTP1 server.
final class HTTPTransportTests: XCTestCase {
    var server: FakeCognitoServer!
    var transport: CurlHTTPTransport!

    override func setUp() {
        transport = CurlHTTPTransport()
    }

    override func tearDown() {
        transport.shutdown()
        server?.stop()
        transport = nil
        server = nil
    }

    func testPostSendsBodyAndHeadersAndReadsAnswer() async throws {
        server = try FakeCognitoServer { request in
            .respond(status: 201, headers: [("X-Echo-Target", request.headers["x-amz-target"] ?? ""), ("X-Mixed-Case", "v")],
                     body: request.body.reversed())
        }
        let response = try await transport.send(HTTPRequest(
            method: .post, url: server.endpoint, headers: [(name: "X-Amz-Target", value: "Svc.Op")], body: Array("abc".utf8)))
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.body, Array("cba".utf8))
        XCTAssertEqual(response.headers["x-echo-target"], "Svc.Op")
        XCTAssertEqual(response.headers["x-mixed-case"], "v")
        XCTAssertEqual(server.requests.first?.method, "POST")
        XCTAssertNil(server.requests.first?.headers["expect"])
    }

    func testGet() async throws {
        server = try FakeCognitoServer { request in .respond(status: 200, body: Array("\(request.method) \(request.uri)".utf8)) }
        let response = try await transport.send(HTTPRequest(method: .get, url: server.endpoint + "pool/.well-known/jwks.json"))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "GET /pool/.well-known/jwks.json")
    }

    func testConnectionIsReused() async throws {
        server = try FakeCognitoServer { _ in .respond(status: 200, body: [1]) }
        for _ in 0..<5 {
            _ = try await transport.send(HTTPRequest(method: .post, url: server.endpoint, body: [0]))
        }
        XCTAssertEqual(server.connectionsAccepted, 1)
    }

    func testBodyOverLimitWithContentLength() async throws {
        server = try FakeCognitoServer { _ in .respond(status: 200, body: Array(repeating: 7, count: 2000)) }
        await assertFails(HTTPRequest(method: .get, url: server.endpoint, maxResponseBytes: 1000), .bodyTooLarge(limit: 1000))
    }

    func testChunkedBodyOverLimitIsCutInTheWriteCallback() async throws {
        server = try FakeCognitoServer { _ in .chunked(status: 200, chunks: Array(repeating: Array(repeating: 1, count: 600), count: 4)) }
        await assertFails(HTTPRequest(method: .get, url: server.endpoint, maxResponseBytes: 1000), .bodyTooLarge(limit: 1000))
        // A body exactly at the limit is fine.
        let ok = try await transport.send(HTTPRequest(method: .get, url: server.endpoint, maxResponseBytes: 2400))
        XCTAssertEqual(ok.body.count, 2400)
    }

    func testHungServerTimesOut() async throws {
        server = try FakeCognitoServer { _ in .hang }
        let started = ContinuousClock.now
        await assertFails(HTTPRequest(method: .post, url: server.endpoint, timeout: .milliseconds(300)), .timedOut)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testConnectionRefused() async throws {
        let port = try closedLoopbackPort()
        do {
            _ = try await transport.send(HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/"))
            XCTFail("expected a failure")
        } catch {
            guard case .couldNotConnect = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(error.neverSent)
        }
    }

    func testOnlyHTTPAndHTTPS() async throws {
        do {
            _ = try await transport.send(HTTPRequest(method: .get, url: "file:///etc/passwd"))
            XCTFail("expected a failure")
        } catch {
            guard case .transport = error else { return XCTFail("got \(error)") }
        }
    }

    /// 300 hung calls share the one loop thread with a call that answers at once.
    func testHungCallsDoNotStarveOthers() async throws {
        let hung = try FakeCognitoServer { _ in .hang }
        defer { hung.stop() }
        server = try FakeCognitoServer { _ in .respond(status: 200, body: [1]) }
        let transport = self.transport!
        let hungURL = hung.endpoint
        let stuck = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<300 {
                    group.addTask { _ = try? await transport.send(HTTPRequest(method: .post, url: hungURL, timeout: .seconds(10))) }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        let response = try await transport.send(HTTPRequest(method: .post, url: server.endpoint))
        XCTAssertEqual(response.status, 200)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))  // far below the hung calls' 10 s
        stuck.cancel()  // cancellation takes the hung transfers out of the multi handle
        await stuck.value
    }

    func testCancellationEndsTheCall() async throws {
        server = try FakeCognitoServer { _ in .hang }
        let transport = self.transport!
        let url = server.endpoint
        let task = Task { () -> HTTPError? in
            do throws(HTTPError) { _ = try await transport.send(HTTPRequest(method: .post, url: url, timeout: .seconds(30))); return nil }
            catch { return error }
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        let error = await task.value
        XCTAssertEqual(error, .transport("cancelled"))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
    }

    func testShutdownFailsCallsInFlightAndLater() async throws {
        server = try FakeCognitoServer { _ in .hang }
        let transport = self.transport!
        let url = server.endpoint
        let task = Task { () -> HTTPError? in
            do throws(HTTPError) { _ = try await transport.send(HTTPRequest(method: .post, url: url, timeout: .seconds(30))); return nil }
            catch { return error }
        }
        try await Task.sleep(for: .milliseconds(200))
        transport.shutdown()
        let error = await task.value
        guard case .transport = error else { return XCTFail("got \(String(describing: error))") }
        await assertFails(HTTPRequest(method: .get, url: url), .transport("HTTP transport is shut down"))
    }

    private func assertFails(_ request: HTTPRequest, _ expected: HTTPError, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            let response = try await transport.send(request)
            XCTFail("expected \(expected), got HTTP \(response.status)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }
}
