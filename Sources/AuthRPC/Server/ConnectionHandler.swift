import Logging
import NIOCore
import Wire

/// Limits that apply to each connection (SPEC §3).
struct ConnectionLimits: Sendable {
    var maxInFlight: Int
    var idleTimeout: TimeAmount
    /// How long a closing connection keeps reading, and discarding, while it waits for
    /// the peer's EOF after our FIN (see `finishClosing`).
    var linger: TimeAmount = .seconds(2)
    /// After this long a connection drains and closes (`AUTHRPC_MAX_CONNECTION_AGE_S`,
    /// SPEC §9), so long-lived clients spread over new replicas; nil: never.
    var maxAge: TimeAmount?
}

/// One client connection: decodes requests, dispatches them, writes responses as
/// they become ready (pipelined, any order), and enforces the per-connection rules
/// of SPEC §3 — in-flight limit by not reading, deadlines, idle close, drain.
///
/// What a connection can make the server hold is bounded (`ConnectionBuffering`):
/// once the answers the client has not taken pass the channel's high water mark,
/// frames already read wait and no more are read, whether their answers would be
/// immediate or not; a client that takes nothing for the idle timeout is closed.
///
/// Everything here runs on the connection's event loop, so its state needs no lock.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let interceptors: CallInterceptors
    private let limits: ConnectionLimits
    private let logger: Logger
    private let warnings: RateLimitedWarnings

    /// Who is calling; the interceptors see it with every request.
    private let connection: ConnectionInfo
    /// Requests answered `.later` and not yet answered, by their latch.
    private var pending: [ObjectIdentifier: PendingAnswer] = [:]
    /// Bytes read and not yet handled, framed on demand (SPEC §3). Frames stay here while
    /// the in-flight limit is reached, the client is not taking its answers or this
    /// connection's turn is over; reading is paused while a whole frame waits, so this
    /// holds at most one read batch and a partial frame.
    private var input: FrameReader
    /// A read the channel asked for that we held back (backpressure).
    private var readHeld = false
    /// Answers of this read batch not yet handed to the channel: one buffer, one write.
    private var outgoing: ByteBuffer?
    /// Answers handed to the channel since the last flush.
    private var unflushed = false
    /// A frame was handled since the idle clock was last restarted.
    private var sawFrame = false
    /// `handleFrames` is running: a nested writability change leaves the work to it.
    private var handlingFrames = false
    /// Serving, draining, closing or lingering (`ConnectionPhase`).
    private var phase = ConnectionPhase.open
    /// Frames this connection may still handle in this turn of the event loop; see
    /// `framesPerTurn`.
    private var turnBudget = ConnectionHandler.framesPerTurn
    /// A task is queued on the event loop to go on with waiting frames.
    private var continuationQueued = false
    /// When a frame was last handled or the client last took answers (the loop's clock,
    /// so tests can move it).
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var idleCheck: Scheduled<Void>?
    private var ageLimit: Scheduled<Void>?
    private var quietClose: Scheduled<Void>?
    private var lingerEnd: Scheduled<Void>?

    /// A batch's answers go to the channel in pieces of about this size, so the water
    /// mark sees them while the batch is still being read.
    private static let handOffBytes = 16 << 10

    /// Fairness between connections on one event loop: one read can bring thousands of
    /// small frames, and handling them all at once would make every other connection of
    /// the loop wait (a flood of 8-byte Health frames from a few hundred connections held
    /// other clients' answers back for seconds). After this many frames the rest wait for
    /// a continuation (`queueContinuation`).
    static let framesPerTurn = 32

    init(dispatcher: Dispatcher, interceptors: CallInterceptors = CallInterceptors([]),
         connection: ConnectionInfo = ConnectionInfo(), limits: ConnectionLimits,
         maxFrameBytes: Int, logger: Logger, warnings: RateLimitedWarnings) {
        self.connection = connection
        self.input = FrameReader(maxFrameBytes: maxFrameBytes)
        self.dispatcher = dispatcher
        self.interceptors = interceptors
        self.limits = limits
        self.logger = logger
        self.warnings = warnings
    }

    private var inFlight: Int { pending.count }

    // MARK: lifecycle

    func channelActive(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        scheduleIdleCheck(context: context, at: lastActivity + limits.idleTimeout)
        if let maxAge = limits.maxAge {
            // Old enough: what was asked is answered, later frames get `ShuttingDown` (not
            // started, so any client may send them again elsewhere), then a clean close.
            ageLimit = context.eventLoop.assumeIsolated().scheduleTask(in: maxAge) {
                self.logger.debug("connection reached its maximum age; draining")
                self.drain(.aged, context: context)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        ageLimit?.cancel()
        ageLimit = nil
        quietClose?.cancel()
        quietClose = nil
        lingerEnd?.cancel()
        lingerEnd = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            drain(.server, context: context)
        } else if let event = event as? GraceOverEvent {
            answerAllShuttingDown(context: context, tally: event.tally)
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            // The peer has sent all it will; answer what it asked, then close.
            drain(.peerClosed, context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error, closing", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Closing: what the peer still sends is read only to be dropped.
        guard !phase.isClosing else { return }
        input.append(unwrapInboundIn(data))
        handleFrames(context: context, inRead: true)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !input.hasFrame { turnBudget = Self.framesPerTurn }
        sendAnswers(context: context)
        context.fireChannelReadComplete()
    }

    /// Room for one more request: under the in-flight limit, and the client is taking
    /// its answers (the channel is under its high water mark).
    private func mayHandleFrame(context: ChannelHandlerContext) -> Bool {
        inFlight < limits.maxInFlight && context.channel.isWritable
    }

    /// Decodes, admits and dispatches one request: the interception point of the server
    /// (`CallInterceptor`).
    private func handleFrame(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        let request: Request
        do {
            request = try Request.decode(bytes)
        } catch {
            let call = Call(method: nil, requestID: 0, connection: connection, started: .now())
            answer(call, .failure(id: 0, .invalidArgument, errorType: "MalformedRequest",
                                  message: error.description), context: context)
            return
        }
        var call = Call(request: request, connection: connection, started: .now())
        if let refusal = interceptors.admit(&call, request: request) {
            answer(call, refusal, context: context)
            return
        }
        switch dispatcher.dispatch(request, on: context.eventLoop) {
        case .now(let response):
            answer(call, response, context: context)
        case .later(let future):
            awaitLater(future, call: call, request: request, context: context)
        }
    }

    /// Every answer to a request goes out here, so the interceptors see what was sent.
    private func answer(_ call: Call, _ response: Response, context: ChannelHandlerContext) {
        interceptors.completed(call, answer: response, duration: .now() - call.started)
        write(response, context: context)
    }

    /// Tracks one slow answer: counts it against the in-flight limit and races it
    /// against the request's deadline; whichever comes first is the one answer.
    private func awaitLater(_ future: EventLoopFuture<Response>, call: Call, request: Request,
                            context: ChannelHandlerContext) {
        // What waits keeps nothing of the frame: a token read in place is a slice of the
        // read buffer, which would stay alive, whole, until the answer.
        var call = call
        call.token = call.token.detached
        let answer = PendingAnswer(call: call)
        pending[ObjectIdentifier(answer)] = answer
        let (id, deadlineMs) = (request.id, request.deadlineMs)
        if deadlineMs > 0 {
            answer.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(deadlineMs))) {
                self.finishLater(answer, .failure(id: id, .deadlineExceeded, errorType: "DeadlineExceeded",
                                                  message: "no answer within \(deadlineMs) ms"), context: context)
            }
        }
        future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let response):
                self.finishLater(answer, response, context: context)
            case .failure(let error):
                self.logger.error("method failed unexpectedly", metadata: ["error": "\(error)"])
                self.finishLater(answer, .failure(id: id, .internal, errorType: "InternalError",
                                                  message: "internal error"), context: context)
            }
        }
    }

    /// The one answer of a `.later` request; a second (deadline vs result) is dropped.
    private func finishLater(_ answer: PendingAnswer, _ response: Response, context: ChannelHandlerContext) {
        guard pending.removeValue(forKey: ObjectIdentifier(answer)) != nil else { return }
        answer.deadline?.cancel()
        lastActivity = context.eventLoop.now
        guard context.channel.isActive, !phase.isClosing else {
            // Nobody to send it to; the interceptors still see the request end, so what
            // they hold for it (a Cognito share, an in-flight count) is given back.
            interceptors.completed(answer.call, answer: response, duration: .now() - answer.call.started)
            return
        }
        self.answer(answer.call, response, context: context)
        handleFrames(context: context)
    }

    /// Handles the frames read so far, as far as the limits allow now, then decides
    /// whether to read again or, when draining and done, to close. Within a read, the
    /// answers wait for `channelReadComplete` to be sent, all at once.
    private func handleFrames(context: ChannelHandlerContext, inRead: Bool = false) {
        guard !handlingFrames else { return }
        handlingFrames = true
        while !phase.isClosing, turnBudget > 0, phase.isDraining || mayHandleFrame(context: context),
              let frame = input.next() {
            turnBudget -= 1
            switch frame {
            case .frame(let bytes):
                sawFrame = true
                if phase.isDraining {
                    refuseWhileDraining(bytes, context: context)
                } else {
                    handleFrame(bytes, context: context)
                }
            case .tooLarge(let declared):
                refuseOversizeFrame(declared: declared, context: context)
            }
        }
        handlingFrames = false
        if sawFrame {
            sawFrame = false
            lastActivity = context.eventLoop.now
        }
        if turnBudget == 0 && input.hasFrame { queueContinuation(context: context) }
        if phase.isClosing { return }
        if !inRead { sendAnswers(context: context) }
        if case .draining(_, let untilQuiet) = phase, inFlight == 0, !input.hasFrame {
            if untilQuiet {
                // Keep answering `ShuttingDown` until the client has gone quiet: a client
                // that sent a request just before our FIN would otherwise see EOF instead
                // of an answer it can act on.
                releaseHeldRead(context: context)
                scheduleQuietClose(context: context)
            } else {
                finishClosing(context: context)
            }
        } else {
            releaseHeldRead(context: context)
        }
    }

    /// Closes an aged connection once nothing has been asked of it for `agedQuiet`.
    private func scheduleQuietClose(context: ChannelHandlerContext) {
        guard quietClose == nil else { return }
        let due = lastActivity + Self.agedQuiet
        quietClose = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.quietClose = nil
            guard context.channel.isActive, !self.phase.isClosing else { return }
            let quiet = context.eventLoop.now >= self.lastActivity + Self.agedQuiet
            if self.inFlight == 0 && !self.input.hasFrame && quiet {
                self.finishClosing(context: context)
            } else {
                self.scheduleQuietClose(context: context)
            }
        }
    }

    /// How long an aged connection waits for its client to stop sending before it closes.
    static let agedQuiet = TimeAmount.milliseconds(200)

    /// Goes on with waiting frames in a later turn, after the loop's other waiting
    /// connections and its pending I/O (`LoopFairness`).
    private func queueContinuation(context: ChannelHandlerContext) {
        guard !continuationQueued else { return }
        continuationQueued = true
        let goOn = {
            self.continuationQueued = false
            self.turnBudget = Self.framesPerTurn
            guard context.channel.isActive else { return }
            self.handleFrames(context: context)
        }
        if let fairness = LoopFairness.current {
            fairness.enqueue(goOn, on: context.eventLoop)
        } else {
            context.eventLoop.assumeIsolated().execute(goOn)
        }
    }

    // MARK: outbound and backpressure

    func read(context: ChannelHandlerContext) {
        if mayRead(context: context) {
            context.read()
        } else {
            readHeld = true
        }
    }

    private func mayRead(context: ChannelHandlerContext) -> Bool {
        switch phase {
        case .lingering:
            return true
        case .closing:
            return false
        case .draining(let peerDone, _):
            // Frames are answered at once (`ShuttingDown`): only writability counts.
            return !peerDone && !input.hasFrame && context.channel.isWritable
        case .open:
            return !input.hasFrame && mayHandleFrame(context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            // The client took answers: that is progress, not a stuck reader.
            lastActivity = context.eventLoop.now
            handleFrames(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func releaseHeldRead(context: ChannelHandlerContext) {
        guard readHeld, mayRead(context: context) else { return }
        readHeld = false
        context.read()
    }

    /// Appends one answer to this batch's buffer; hands the buffer to the channel once it
    /// is large enough for the water mark to need to see it.
    private func write(_ response: Response, context: ChannelHandlerContext) {
        var buffer = outgoing ?? context.channel.allocator.buffer(capacity: 1024)
        outgoing = nil
        do {
            try response.writeFrame(into: &buffer)
        } catch {
            // Only a string holding U+0000 cannot be sent; say so rather than cut it short.
            warnings.warn("answer not encodable", metadata: ["error_type": "\(response.errorType)"])
            try? Response.failure(id: response.id, .internal, errorType: "UnencodableAnswer",
                                  message: "the answer held a string this protocol cannot carry (U+0000)")
                .writeFrame(into: &buffer)
        }
        if buffer.readableBytes >= Self.handOffBytes {
            context.write(wrapOutboundOut(buffer), promise: nil)
            unflushed = true
            sendAnswers(context: context)
        } else {
            outgoing = buffer
        }
    }

    private func sendAnswers(context: ChannelHandlerContext) {
        if let buffer = outgoing {
            outgoing = nil
            context.write(wrapOutboundOut(buffer), promise: nil)
            unflushed = true
        }
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    // MARK: oversize frames, drain, shutdown

    /// SPEC §3: answer `FrameTooLarge`, then close. The frame decoder drops every byte
    /// from here on; `finishClosing` makes sure the answer is read, not reset.
    private func refuseOversizeFrame(declared: UInt32, context: ChannelHandlerContext) {
        guard !phase.isClosing else { return }
        warnings.warn("frame too large, closing connection", metadata: ["declared_bytes": "\(declared)"])
        answer(Call(method: nil, requestID: 0, connection: connection, started: .now()),
               .failure(id: 0, .resourceExhausted, errorType: "FrameTooLarge",
                        message: "frame of \(declared) bytes is over this server's limit"), context: context)
        finishClosing(context: context)
    }

    /// Stops taking new work, for `cause`; see `ConnectionPhase.drain`.
    private func drain(_ cause: ConnectionPhase.DrainCause, context: ChannelHandlerContext) {
        switch phase.drain(cause) {
        case .handleFrames: handleFrames(context: context)
        case .close: context.close(promise: nil)
        case .nothing, .shutOutputAndLinger: break
        }
    }

    /// A frame that arrives while the server drains: not started, answered at once so the
    /// client can retry elsewhere (and so no request is left unread when we close).
    private func refuseWhileDraining(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        guard let request = try? Request.decode(bytes) else { return }
        let call = Call(request: request, connection: connection, started: .now())
        answer(call, Self.shuttingDown(id: request.id), context: context)
    }

    private static func shuttingDown(id: UInt64) -> Response {
        .failure(id: id, .unavailable, errorType: "ShuttingDown",
                 message: "the server is shutting down; retry on another instance")
    }

    /// SPEC §3 at the end of the shutdown grace: every request still unanswered — waiting
    /// on a slow method, or read and not yet started — is answered `UNAVAILABLE` /
    /// `ShuttingDown` with its id, then the connection closes the way `finishClosing` does.
    /// A client never sees EOF in place of an answer.
    private func answerAllShuttingDown(context: ChannelHandlerContext, tally: ShutdownTally) {
        guard !phase.isClosing else { return }
        var calls = pending.values.map(\.call)
        for answer in pending.values { answer.deadline?.cancel() }
        pending.removeAll()
        while case .frame(let frame)? = input.next() {
            if let request = try? Request.decode(frame) {
                calls.append(Call(request: request, connection: connection, started: .now()))
            }
        }
        for call in calls { answer(call, Self.shuttingDown(id: call.requestID), context: context) }
        tally.record(answered: calls.count)
        finishClosing(context: context)
    }

    /// Closes without a reset. Closing a socket whose receive buffer still holds bytes we
    /// never read makes the kernel send RST, and a client that has not read our last
    /// answers yet then gets ECONNRESET instead of them. So: flush the answers, shut down
    /// our side (FIN), keep reading and discarding until the peer's EOF or the linger
    /// ends, then close. Writes complete in order, so the last write's completion means
    /// every answer before it reached the socket.
    private func finishClosing(context: ChannelHandlerContext) {
        guard phase.beginClosing() else { return }
        let last = outgoing.take() ?? context.channel.allocator.buffer(capacity: 0)
        unflushed = false
        context.writeAndFlush(wrapOutboundOut(last)).assumeIsolated().whenComplete { _ in
            guard context.channel.isActive else { return }
            switch self.phase.lastAnswersWritten() {
            case .close:
                context.close(promise: nil)
            case .shutOutputAndLinger:
                context.close(mode: .output, promise: nil)
                self.lingerEnd = context.eventLoop.assumeIsolated().scheduleTask(in: self.limits.linger) {
                    context.close(promise: nil)
                }
                self.releaseHeldRead(context: context)
            case .nothing, .handleFrames:
                break
            }
        }
    }

    /// SPEC §3: a connection with nothing in flight and no complete frame for the idle
    /// timeout is closed; bytes of a stalled partial frame do not count as activity. So is
    /// one whose client has taken none of its answers for that long (the channel stayed
    /// over its high water mark): it would otherwise hold its buffers for ever.
    private func scheduleIdleCheck(context: ChannelHandlerContext, at when: NIODeadline) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) {
            guard context.channel.isActive else { return }
            let now = context.eventLoop.now
            let due = self.lastActivity + self.limits.idleTimeout
            let overdue = now >= due
            if overdue && self.inFlight == 0 && !self.input.hasFrame {
                self.logger.debug("closing idle connection")
                context.close(promise: nil)
            } else if overdue && !context.channel.isWritable {
                self.warnings.warn("closing connection whose client reads none of its answers")
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context: context, at: max(due, now + .milliseconds(10)))
            }
        }
    }
}

/// A request answered `.later`, until its one answer is written: the result, its
/// deadline, or `ShuttingDown` at the end of the grace. Only touched on one event loop.
private final class PendingAnswer {
    let call: Call
    var deadline: Scheduled<Void>?
    init(call: Call) { self.call = call }
}

extension Optional where Wrapped == ByteBuffer {
    /// The buffer, leaving nil behind.
    fileprivate mutating func take() -> ByteBuffer? {
        defer { self = nil }
        return self
    }
}
