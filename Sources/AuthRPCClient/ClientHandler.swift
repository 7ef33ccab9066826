import NIOCore
import Wire

/// Pairs each outgoing request with the promise its answer completes, matching
/// answers by id so they may arrive in any order (SPEC §3 pipelining).
final class ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundIn = (Request, EventLoopPromise<Response>)
    typealias OutboundOut = ByteBuffer

    private var pending: [UInt64: EventLoopPromise<Response>] = [:]

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (request, answer) = unwrapOutboundIn(data)
        guard pending[request.id] == nil else {
            answer.fail(AuthRPCClientError.duplicateID(request.id))
            promise?.succeed()
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try request.writeFrame(into: &buffer)
        } catch {
            // Nothing was sent: the caller learns why, the connection carries on.
            answer.fail(error)
            promise?.succeed()
            return
        }
        pending[request.id] = answer
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .frame(let bytes) = unwrapInboundIn(data) else {
            // A TLS alert record (0x15 0x03 …) read as a length: this port speaks TLS.
            if case .tooLarge(let declared) = unwrapInboundIn(data), declared >> 16 == 0x1503 {
                failAll(AuthRPCClientError.tls(TLSFailure(
                    kind: .serverRequiresTLS, message: "the server speaks TLS on this port: connect with TLS (--tls-ca)",
                    reason: "plaintext request answered by a TLS alert")))
                context.close(promise: nil)
                return
            }
            failAll(AuthRPCClientError.malformedResponse)
            context.close(promise: nil)
            return
        }
        guard let response = try? Response.decode(bytes) else {
            failAll(AuthRPCClientError.malformedResponse)
            context.close(promise: nil)
            return
        }
        if let promise = pending.removeValue(forKey: response.id) {
            promise.succeed(response)
        } else if response.id == 0 {
            failAll(AuthRPCClientError.connectionError(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(AuthRPCClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        let promises = pending.values
        pending.removeAll()
        for promise in promises { promise.fail(error) }
    }
}
