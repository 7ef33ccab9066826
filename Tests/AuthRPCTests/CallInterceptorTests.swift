@testable import AuthRPC
import AuthRPCClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TokenTestSupport
import Wire
import XCTest

/// The interception point: every request passes through it, before dispatch and with its
/// answer, on a real server over real sockets.
final class CallInterceptorTests: XCTestCase {
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func tearDown() async throws {
        try await clientGroup.shutdownGracefully()
    }

    /// Records what it sees; refuses `signOut` in `admit`, as a caller policy would.
    private final class Recorder: CallInterceptor {
        struct Seen: Equatable {
            var method: Method?
            var id: UInt64
            var status: Status
            var errorType: String
            var admitted: Bool
        }
        let admitted = NIOLockedValueBox<[UInt64]>([])
        let seen = NIOLockedValueBox<[Seen]>([])
        let peers = NIOLockedValueBox<[SocketAddress?]>([])
        let durations = NIOLockedValueBox<[TimeAmount]>([])

        func admit(_ call: Call, request: Request) -> Response? {
            admitted.withLockedValue { $0.append(call.requestID) }
            guard call.method == .signOut else { return nil }
            return .failure(id: call.requestID, .permissionDenied, errorType: "CallerNotAllowed",
                            message: "this caller may not call SignOut")
        }

        func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {
            seen.withLockedValue { $0.append(Seen(method: call.method, id: call.requestID, status: answer.status,
                                                  errorType: answer.errorType, admitted: admitted)) }
            peers.withLockedValue { $0.append(call.connection.peer) }
            durations.withLockedValue { $0.append(duration) }
        }
    }

    func testEveryRequestPassesBeforeDispatchAndWithItsAnswer() async throws {
        let recorder = Recorder()
        let gated = GatedHandler()
        let signOutHandler = GatedHandler()
        let server = try await TestServer.start(
            dispatcher: testDispatcher([.verifyToken: gated, .signOut: signOutHandler]), interceptors: [recorder])
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        try await raw.sendFrame(Request(id: 1, body: .health(HealthRequest())).encodedBytes())
        try await raw.sendFrame([0xff, 0xff, 0xff, 0xff, 0x0f])  // does not decode
        try await raw.sendFrame(Request(id: 3, body: .signOut(SignOutRequest(accessToken: "t"))).encodedBytes())
        try await raw.sendFrame(Request(id: 4, body: .verifyToken(VerifyTokenRequest(token: "t"))).encodedBytes())
        let first = await raw.responses(atLeast: 3)
        XCTAssertEqual(first.map(\.id), [1, 0, 3])
        XCTAssertEqual(first[2].errorType, "CallerNotAllowed", "admit answers in the method's stead")
        XCTAssertEqual(signOutHandler.seenCount, 0, "a refused request never reaches its method")
        // A `.later` answer passes `completed` when it is written, not before.
        XCTAssertFalse(recorder.seen.withLockedValue { $0 }.contains { $0.id == 4 })
        // Request 4 may reach its method in a later read than the others.
        let held = ContinuousClock.now + .seconds(5)
        while gated.seenCount < 1 && ContinuousClock.now < held { try await Task.sleep(for: .milliseconds(5)) }
        gated.releaseAll()
        let all = await raw.responses(atLeast: 4)
        XCTAssertEqual(all.map(\.id), [1, 0, 3, 4])

        XCTAssertEqual(recorder.admitted.withLockedValue { $0 }, [1, 3, 4], "decoded requests are admitted")
        XCTAssertEqual(recorder.seen.withLockedValue { $0 }, [
            .init(method: .health, id: 1, status: .ok, errorType: "", admitted: true),
            .init(method: nil, id: 0, status: .invalidArgument, errorType: "MalformedRequest", admitted: false),
            .init(method: .signOut, id: 3, status: .permissionDenied, errorType: "CallerNotAllowed", admitted: false),
            .init(method: .verifyToken, id: 4, status: .ok, errorType: "", admitted: true),
        ])
        let localPort = raw.channel.localAddress?.port
        XCTAssertEqual(recorder.peers.withLockedValue { $0 }.map { $0?.port }, Array(repeating: localPort, count: 4),
                       "the connection's peer is the client's address")
        XCTAssertTrue(recorder.durations.withLockedValue { $0 }.allSatisfy { $0 >= .zero })
        await raw.close()
        await server.stop()
    }

    func testAccessLogLinesWithoutRequestFields() async throws {
        let capture = LogCapture()
        let logger = capture.logger(label: "access")
        let server = try await TestServer.start(dispatcher: testDispatcher(),
                                                interceptors: [AccessLog(logger: logger, mode: .all)])
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
        _ = try await connection.call(.health(HealthRequest()))
        let secret = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln"
        let refused = try await connection.call(.verifyToken(VerifyTokenRequest(token: secret)))
        XCTAssertEqual(refused.status, .unimplemented)
        await connection.close()
        await server.stop()

        let lines = capture.all.filter { $0.contains("access") }
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines[0].contains("method=Health") && lines[0].contains("status=OK"), lines[0])
        XCTAssertTrue(lines[0].contains("peer=") && lines[0].contains("duration_us="), lines[0])
        XCTAssertTrue(lines[1].contains("error_type=NotImplemented"), lines[1])
        XCTAssertFalse(capture.all.joined().contains(secret), "a token never reaches the access log")
    }

    /// A slow answer whose client has gone still ends at the interception point, so what
    /// an interceptor holds for it (a Cognito share, the in-flight gauge) is given back.
    func testAnAnswerForAClosedConnectionStillCompletes() async throws {
        let recorder = Recorder()
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: gated]), interceptors: [recorder])
        let socket = try PosixSocket(port: server.port)
        let frame = try Request(id: 7, body: .verifyToken(VerifyTokenRequest(token: "t"))).encodedBytes()
        try socket.send(framed(frame))
        let reached = await eventually { gated.seenCount == 1 }
        XCTAssertTrue(reached)
        socket.reset()
        let closed = await eventually { server.server.connectionCount == 0 }
        XCTAssertTrue(closed)
        gated.releaseAll()
        let completed = await eventually { recorder.seen.withLockedValue { $0 }.contains { $0.id == 7 } }
        XCTAssertTrue(completed, "the interceptors never saw the request end")
        XCTAssertEqual(recorder.seen.withLockedValue { $0 }.first { $0.id == 7 }?.admitted, true)
        await server.stop()
    }
}
