@testable import AuthRPC
import Logging
import NIOCore
import NIOEmbedded
import Wire
import XCTest

/// The connection's rules of SPEC §3 on an `EmbeddedChannel`, with time moved by
/// `EmbeddedEventLoop.advanceTime`: no sleeps, no sockets, every step observed.
final class ConnectionLifecycleTests: XCTestCase {
    private let logger = Logger(label: "test")

    // MARK: the phase on its own

    func testThePhaseNamesEveryWayAConnectionEnds() {
        var phase = ConnectionPhase.open
        XCTAssertEqual(phase.drain(.aged), .handleFrames)
        XCTAssertEqual(phase, .draining(peerDone: false, untilQuiet: true))
        XCTAssertEqual(phase.drain(.aged), .nothing, "aging twice changes nothing")
        XCTAssertEqual(phase.drain(.server), .handleFrames)
        XCTAssertEqual(phase, .draining(peerDone: false, untilQuiet: false), "the server's drain does not wait for quiet")
        XCTAssertEqual(phase.drain(.peerClosed), .handleFrames)
        XCTAssertEqual(phase, .draining(peerDone: true, untilQuiet: false))
        XCTAssertTrue(phase.beginClosing())
        XCTAssertFalse(phase.beginClosing(), "closing happens once")
        XCTAssertEqual(phase.lastAnswersWritten(), .close, "the peer is done: nothing to linger for")

        phase = .open
        XCTAssertTrue(phase.beginClosing())
        XCTAssertEqual(phase.drain(.server), .nothing)
        XCTAssertEqual(phase.lastAnswersWritten(), .shutOutputAndLinger)
        XCTAssertEqual(phase, .lingering)
        XCTAssertTrue(phase.isClosing)
        XCTAssertEqual(phase.drain(.peerClosed), .close, "the peer's EOF ends the linger")
    }

    // MARK: on a channel

    /// Over the in-flight limit a frame waits unread-from-the-buffer, and goes on as soon
    /// as an answer frees a slot.
    func testTheInFlightLimitHoldsFramesUntilAnAnswerFreesASlot() throws {
        let gate = GatedHandler()
        let channel = try connection(handlers: [.signOut: gate], maxInFlight: 2)
        try send([signOut(1), signOut(2), signOut(3)], to: channel)
        XCTAssertEqual(gate.seenCount, 2, "the third request waits for a slot")
        XCTAssertTrue(try channel.readAnswers().isEmpty)

        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try channel.readAnswers().map(\.id), [1, 2])
        XCTAssertEqual(gate.seenCount, 3, "a slot freed: the waiting request is dispatched")
        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try channel.readAnswers().map(\.id), [3])
        _ = try? channel.finish()
    }

    /// A slow method loses to the request's deadline, exactly when it is due; its late
    /// result is dropped, not sent twice.
    func testADeadlineAnswersExactlyWhenDueAndOnlyOnce() throws {
        let gate = GatedHandler()
        let channel = try connection(handlers: [.signOut: gate])
        try send([Request(id: 7, deadlineMs: 250, body: .signOut(SignOutRequest(accessToken: "t")))], to: channel)

        channel.embeddedEventLoop.advanceTime(by: .milliseconds(249))
        XCTAssertTrue(try channel.readAnswers().isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let answered = try channel.readAnswers()
        XCTAssertEqual(answered.map(\.id), [7])
        XCTAssertEqual(answered.first?.status, .deadlineExceeded)

        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertTrue(try channel.readAnswers().isEmpty, "the late result is not a second answer")
        _ = try? channel.finish()
    }

    /// Idle means no complete frame and nothing in flight: a stalled partial frame does not
    /// keep a connection open, a request in flight does.
    func testIdleCloseCountsFramesNotBytes() throws {
        let channel = try connection(idleTimeout: .seconds(10))
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try send([Request(id: 1, body: .health(HealthRequest()))], to: channel)
        XCTAssertEqual(try channel.readAnswers().map(\.id), [1])

        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        XCTAssertTrue(channel.isActive, "a frame 9 s ago: not idle yet")
        // Three bytes of a length prefix: bytes, not a frame.
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "10 s without a complete frame: closed")
    }

    func testAConnectionWithWorkInFlightIsNotIdle() throws {
        let gate = GatedHandler()
        let channel = try connection(handlers: [.signOut: gate], idleTimeout: .seconds(10))
        try send([signOut(1)], to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        XCTAssertTrue(channel.isActive, "waiting on its own answer is not idleness")
        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try channel.readAnswers().map(\.id), [1])
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        XCTAssertFalse(channel.isActive)
    }

    /// The server's drain (NIO's `ChannelShouldQuiesceEvent`): what is in flight is
    /// answered, new frames get `ShuttingDown`, and the connection closes after its last
    /// answer, not before.
    func testDrainAnswersWorkInFlightRefusesNewWorkThenCloses() throws {
        let gate = GatedHandler()
        let channel = try connection(handlers: [.signOut: gate])
        try send([signOut(1)], to: channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try send([signOut(2)], to: channel)

        let refused = try channel.readAnswers()
        XCTAssertEqual(refused.map(\.id), [2])
        XCTAssertEqual(refused.first?.errorType, "ShuttingDown")
        XCTAssertEqual(gate.seenCount, 1, "a request read while draining is not started")
        XCTAssertTrue(channel.isActive, "request 1 is still owed an answer")

        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try channel.readAnswers().map(\.status), [.ok])
        XCTAssertFalse(channel.isActive, "nothing owed: closed")
    }

    /// A client that half-closes after its requests still gets every answer, then the
    /// connection closes.
    func testHalfCloseStillAnswersWhatWasAsked() throws {
        let gate = GatedHandler()
        let channel = try connection(handlers: [.signOut: gate])
        try send([signOut(1), signOut(2)], to: channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertTrue(channel.isActive)

        gate.releaseAll()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(Set(try channel.readAnswers().map(\.id)), [1, 2])
        XCTAssertFalse(channel.isActive)
    }

    /// An aged connection keeps answering `ShuttingDown` until its client has been quiet
    /// for a moment, then closes.
    func testAnAgedConnectionClosesOnceItsClientIsQuiet() throws {
        let channel = try connection(maxAge: .seconds(60))
        let loop = channel.embeddedEventLoop
        loop.advanceTime(by: .milliseconds(59_900))
        try send([Request(id: 8, body: .health(HealthRequest()))], to: channel)
        XCTAssertEqual(try channel.readAnswers().map(\.status), [.ok])
        loop.advanceTime(by: .milliseconds(100))
        XCTAssertTrue(channel.isActive, "aged, but its client asked 100 ms ago")
        loop.advanceTime(by: .milliseconds(50))
        try send([Request(id: 9, body: .health(HealthRequest()))], to: channel)
        XCTAssertEqual(try channel.readAnswers().map(\.errorType), ["ShuttingDown"])
        loop.advanceTime(by: .milliseconds(150))
        XCTAssertTrue(channel.isActive, "it asked again 150 ms ago")
        loop.advanceTime(by: .milliseconds(50))
        XCTAssertFalse(channel.isActive, "quiet for \(ConnectionHandler.agedQuiet): closed")
    }

    // MARK: helpers

    private func connection(handlers: [Method: any StubHandler] = [:], maxInFlight: Int = 64,
                            idleTimeout: TimeAmount = .seconds(300), maxAge: TimeAmount? = nil) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let handler = ConnectionHandler(
            dispatcher: testDispatcher(handlers),
            limits: ConnectionLimits(maxInFlight: maxInFlight, idleTimeout: idleTimeout, maxAge: maxAge),
            maxFrameBytes: 65536, logger: logger, warnings: RateLimitedWarnings(logger: logger, background: testBackground))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func signOut(_ id: UInt64) -> Request {
        Request(id: id, body: .signOut(SignOutRequest(accessToken: "t")))
    }

    private func send(_ requests: [Request], to channel: EmbeddedChannel) throws {
        var batch = ByteBuffer()
        for request in requests { try request.writeFrame(into: &batch) }
        try channel.writeInbound(batch)
        channel.pipeline.fireChannelReadComplete()
    }
}
