@testable import AuthRPC
import AuthRPCClient
import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Wire
import XCTest

/// What one connection can make the server hold, and how connections end: a client that
/// never reads, an oversize frame, the end of the shutdown grace.
final class ConnectionHardeningTests: XCTestCase {
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func tearDown() async throws {
        try await clientGroup.shutdownGracefully()
    }

    // MARK: a client that does not take its answers

    /// Within one read batch: once the channel is over its water mark, the frames left
    /// wait (however cheap their answers) and reading stops, until the client takes
    /// answers again.
    func testFramesWaitOnceTheClientStopsTakingAnswers() throws {
        let channel = EmbeddedChannel()
        let reads = ReadCounter()
        let health = CountingHealth { count in if count == 10 { channel.isWritable = false } }
        let handler = ConnectionHandler(
            dispatcher: testDispatcher([.health: health]),
            limits: ConnectionLimits(maxInFlight: 1024, idleTimeout: .seconds(300)), maxFrameBytes: 65536,
            logger: Logger(label: "test"), warnings: RateLimitedWarnings(logger: Logger(label: "test"), background: testBackground))
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        var batch = ByteBuffer()
        for id in UInt64(1)...100 { try Request(id: id, body: .health(HealthRequest())).writeFrame(into: &batch) }
        try channel.writeInbound(batch)
        XCTAssertEqual(health.count, 10, "frames after the water mark was crossed must wait")
        XCTAssertEqual(try channel.readAnswers().count, 10)
        let readsBefore = reads.count
        channel.read()
        XCTAssertEqual(reads.count, readsBefore, "no read while frames wait")

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        // The rest of this turn's frames; then the others go on in later turns
        // (tasks on the loop), so one connection cannot keep the loop to itself.
        XCTAssertEqual(health.count, ConnectionHandler.framesPerTurn)
        channel.embeddedEventLoop.run()
        XCTAssertEqual(health.count, 100)
        XCTAssertEqual(Set(try channel.readAnswers().map(\.id)), Set(11...100))
        XCTAssertEqual(reads.count, readsBefore + 1, "the held read goes out once nothing waits")
        _ = try channel.finish()
    }

    /// Non-reading clients hold the server to a bounded amount of work and memory, are
    /// closed after the idle timeout without progress, and a normal client is served
    /// throughout.
    func testClientsThatNeverReadAreBoundedAndClosed() async throws {
        let health = CountingHealth()
        let server = try await TestServer.start(dispatcher: testDispatcher([.health: health])) { config in
            config.connectionBufferBytes = 32 << 10
            config.idleTimeout = .seconds(1)
        }
        var frames: [UInt8] = []
        for id in UInt64(1)...200_000 { frames += framed(try Request(id: id, body: .health(HealthRequest())).encodedBytes()) }
        let attackers = 4
        let sent = NIOLockedValueBox<[Int]>([])
        let done = DispatchGroup()
        for _ in 0..<attackers {
            let socket = try PosixSocket(port: server.port, receiveBuffer: 4096)
            done.enter()
            let bytes = frames
            DispatchQueue.global().async {
                let n = socket.sendWhileAccepted(bytes, seconds: 4)
                sent.withLockedValue { $0.append(n) }
                withExtendedLifetime(socket) {}
                done.leave()
            }
        }
        // Meanwhile a client that reads its answers is served as usual.
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
        for _ in 0..<50 {
            let response = try await connection.call(.health(HealthRequest()), deadlineMs: 2000)
            XCTAssertEqual(response.status, .ok)
            try await Task.sleep(for: .milliseconds(20))
        }
        await withCheckedContinuation { continuation in done.notify(queue: .global()) { continuation.resume() } }

        let framesSent = sent.withLockedValue { $0 }.reduce(0, +) / 12
        let allFrames = attackers * 200_000
        // Each attacker could only make the server answer what fits in the water mark and
        // the sockets' buffers: a small share of what it sent, let alone of what it tried.
        XCTAssertLessThan(health.count, allFrames / 4, "answered \(health.count) of \(framesSent) frames sent")
        // And once stuck for the idle timeout, each attacker's connection was closed.
        let deadline = ContinuousClock.now + .seconds(5)
        while server.server.connectionCount > 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(server.server.connectionCount, 1, "only the reading client is left")
        let after = try await connection.call(.health(HealthRequest()))
        XCTAssertEqual(after.status, .ok)
        await connection.close()
        await server.stop()
    }

    // MARK: FrameTooLarge without a reset

    /// The client has sent the whole oversize body before it reads; it then reads the
    /// answer a few bytes at a time and must see the answer and a clean EOF, not ECONNRESET.
    func testOversizeFrameIsAnsweredThenClosedCleanly() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher()) { $0.maxFrameBytes = 65536 }
        for bodySize in [65537, 300_000, 1 << 20] {
            let socket = try PosixSocket(port: server.port)
            let length = UInt32(bodySize)
            let frame = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
                + [UInt8](repeating: 0x41, count: bodySize)
            try socket.send(frame)
            let received: [UInt8]
            do {
                received = try socket.receiveUntilEOF(chunk: 7)
            } catch let failure as PosixSocket.Failure {
                return XCTFail("\(bodySize)-byte body: \(failure) instead of the answer and EOF")
            }
            XCTAssertGreaterThan(received.count, 4)
            let response = try Array(received.dropFirst(4)).withUnsafeBytes { try Response.decode($0) }
            XCTAssertEqual(response.errorType, "FrameTooLarge", "\(bodySize)")
            XCTAssertEqual(response.status, .resourceExhausted)
        }
        await server.stop()
    }

    // MARK: the end of the shutdown grace

    /// Requests still waiting on a slow method when the grace ends — and frames read but
    /// not started — are answered UNAVAILABLE/ShuttingDown before the connection closes.
    func testGraceEndAnswersEverythingStillOwed() async throws {
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.register: gated])) { config in
            config.shutdownGrace = .seconds(1)
            config.maxInFlightPerConnection = 2
        }
        var connections: [AuthRPCConnection] = []
        var futures: [EventLoopFuture<Response>] = []
        for _ in 0..<5 {
            let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
            for id in UInt64(1)...4 {
                futures.append(connection.send(Request(id: id, body: .register(RegisterRequest(username: "u")))))
            }
            connections.append(connection)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while gated.seenCount < 10 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(gated.seenCount, 10, "two in flight per connection, two waiting")

        await server.stop()
        for future in futures {
            let response = try await future.get()
            XCTAssertEqual(response.status, .unavailable)
            XCTAssertEqual(response.errorType, "ShuttingDown")
        }
        for connection in connections { await connection.close() }
    }

    // MARK: helpers
}

/// Health answered at once, counted; `onCall` sees the running count.
private final class CountingHealth: StubHandler, @unchecked Sendable {
    private let calls = NIOLockedValueBox(0)
    private let onCall: (Int) -> Void

    init(onCall: @escaping (Int) -> Void = { _ in }) { self.onCall = onCall }

    var count: Int { calls.withLockedValue { $0 } }

    func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success> {
        let count = calls.withLockedValue { $0 += 1; return $0 }
        onCall(count)
        return .success(success)
    }
}

/// Counts the reads that reach the head of the pipeline.
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
