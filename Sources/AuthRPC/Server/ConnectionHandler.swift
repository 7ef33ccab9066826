import Logging
import NIOCore
import Wire

/// Sent down a connection's pipeline when the server begins a graceful shutdown.
struct DrainEvent: Sendable {}

/// Limits that apply to each connection (SPEC §3).
struct ConnectionLimits: Sendable {
    var maxInFlight: Int
    var idleTimeout: TimeAmount
}

/// One client connection: decodes requests, dispatches them, writes responses as
/// they become ready (pipelined, any order), and enforces the per-connection rules
/// of SPEC §3 — in-flight limit by not reading, deadlines, idle close, drain.
///
/// Everything here runs on the connection's event loop, so its state needs no lock.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let limits: ConnectionLimits
    private let logger: Logger

    /// Requests answered `.later` and not yet written.
    private var inFlight = 0
    /// Frames that arrived in the same read as others once the in-flight limit was
    /// reached. Reading is paused while any wait, so this holds at most one read's worth.
    private var waiting = CircularBuffer<ByteBuffer>()
    /// A read the channel asked for that we held back (backpressure).
    private var readHeld = false
    /// Responses written since the last flush.
    private var unflushed = false
    /// No new reads: the server is draining or the peer closed its side.
    private var draining = false
    private var closing = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?

    init(dispatcher: Dispatcher, limits: ConnectionLimits, logger: Logger) {
        self.dispatcher = dispatcher
        self.limits = limits
        self.logger = logger
    }

    // MARK: lifecycle

    func channelActive(context: ChannelHandlerContext) {
        lastActivity = .now()
        scheduleIdleCheck(context: context, at: lastActivity + limits.idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent {
            beginDrain(context: context)
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            // The peer has sent all it will; answer what it asked, then close.
            beginDrain(context: context)
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
        switch unwrapInboundIn(data) {
        case .tooLarge(let declared):
            logger.info("frame too large, closing connection", metadata: ["declared_bytes": "\(declared)"])
            let answer = Response.failure(
                id: 0, .resourceExhausted, errorType: "FrameTooLarge",
                message: "frame of \(declared) bytes is over this server's limit")
            closing = true
            context.writeAndFlush(wrapOutboundOut(encode(answer, context: context))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .frame(let bytes):
            guard !closing else { return }
            lastActivity = .now()
            if inFlight >= limits.maxInFlight || !waiting.isEmpty {
                waiting.append(bytes)
            } else {
                handleFrame(bytes, context: context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
        context.fireChannelReadComplete()
    }

    private func handleFrame(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        let request: Request
        do {
            request = try Request.decode(bytes)
        } catch {
            write(.failure(id: 0, .invalidArgument, errorType: "MalformedRequest",
                           message: "the frame is not a valid authrpc.v1.Request"), context: context)
            return
        }
        switch dispatcher.dispatch(request, on: context.eventLoop) {
        case .now(let response):
            write(response, context: context)
        case .later(let future):
            awaitLater(future, request: request, context: context)
        }
    }

    /// Tracks one slow answer: counts it against the in-flight limit and races it
    /// against the request's deadline; whichever comes first is the one answer.
    private func awaitLater(_ future: EventLoopFuture<Response>, request: Request, context: ChannelHandlerContext) {
        inFlight += 1
        let answered = AnswerLatch()
        var deadline: Scheduled<Void>?
        if request.deadlineMs > 0 {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(request.deadlineMs))) {
                guard answered.claim() else { return }
                self.finishLater(.failure(id: request.id, .deadlineExceeded, errorType: "DeadlineExceeded",
                                          message: "no answer within \(request.deadlineMs) ms"), context: context)
            }
        }
        future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            deadline?.cancel()
            guard answered.claim() else { return }
            switch result {
            case .success(let response):
                self.finishLater(response, context: context)
            case .failure(let error):
                self.logger.error("method failed unexpectedly", metadata: ["error": "\(error)"])
                self.finishLater(.failure(id: request.id, .internal, errorType: "InternalError",
                                          message: "internal error"), context: context)
            }
        }
    }

    private func finishLater(_ response: Response, context: ChannelHandlerContext) {
        inFlight -= 1
        lastActivity = .now()
        guard context.channel.isActive else { return }
        write(response, context: context)
        while inFlight < limits.maxInFlight, let next = waiting.popFirst() {
            handleFrame(next, context: context)
        }
        flushIfNeeded(context: context)
        if draining && inFlight == 0 && waiting.isEmpty {
            closeAfterWrites(context: context)
        } else {
            releaseHeldRead(context: context)
        }
    }

    // MARK: outbound and backpressure

    func read(context: ChannelHandlerContext) {
        if draining || inFlight >= limits.maxInFlight || !waiting.isEmpty || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        releaseHeldRead(context: context)
        context.fireChannelWritabilityChanged()
    }

    private func releaseHeldRead(context: ChannelHandlerContext) {
        guard readHeld, !draining, inFlight < limits.maxInFlight, waiting.isEmpty, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }

    private func write(_ response: Response, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(encode(response, context: context)), promise: nil)
        unflushed = true
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    private func encode(_ response: Response, context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        response.writeFrame(into: &buffer)
        return buffer
    }

    // MARK: drain and idle

    private func beginDrain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        if inFlight == 0 && waiting.isEmpty { closeAfterWrites(context: context) }
    }

    /// Closes once every response already written has reached the socket: writes
    /// complete in order, so an empty write's completion means all before it did.
    private func closeAfterWrites(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// SPEC §3: a connection with nothing in flight and no complete frame for the idle
    /// timeout is closed. Bytes of a stalled partial frame do not count as activity.
    private func scheduleIdleCheck(context: ChannelHandlerContext, at when: NIODeadline) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) {
            guard context.channel.isActive else { return }
            let due = self.lastActivity + self.limits.idleTimeout
            if self.inFlight == 0 && self.waiting.isEmpty && NIODeadline.now() >= due {
                self.logger.debug("closing idle connection")
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context: context, at: max(due, .now() + .milliseconds(10)))
            }
        }
    }
}

/// Makes sure a request gets exactly one answer when a result and its deadline race.
/// Only touched on one event loop.
private final class AnswerLatch {
    private var done = false
    func claim() -> Bool {
        if done { return false }
        done = true
        return true
    }
}
