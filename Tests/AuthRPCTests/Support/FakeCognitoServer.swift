@testable import CurlHTTP
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as the fake server saw it.
struct FakeRequest: Sendable {
    let method: String
    let uri: String
    /// Lower-cased names.
    let headers: [String: String]
    let body: [UInt8]

    /// `AWSCognitoIdentityProviderService.<Op>` → `<Op>`.
    var operation: String {
        let target = headers["x-amz-target"] ?? ""
        return String(target.split(separator: ".").last ?? "")
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
}

/// What the fake answers.
enum FakeAnswer: Sendable {
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8])
    /// Chunked, no Content-Length: the client learns the size only while reading.
    case chunked(status: Int, chunks: [[UInt8]])
    /// Never answers; the connection stays open until the client gives up or the server stops.
    case hang

    static func json(_ status: Int = 200, _ text: String, headers: [(String, String)] = []) -> FakeAnswer {
        .respond(status: status, headers: [("Content-Type", "application/x-amz-json-1.1")] + headers, body: Array(text.utf8))
    }

    /// A Cognito error the way AWS sends it: name in `x-amzn-errortype` and in `__type`.
    static func cognitoError(_ name: String, _ message: String = "", status: Int = 400,
                             headers: [(String, String)] = []) -> FakeAnswer {
        json(status, #"{"__type":"\#(name)","message":"\#(message)"}"#,
             headers: [("x-amzn-errortype", "\(name):http://internal.amazon.com/coral/com.amazon.coral.validate/")] + headers)
    }
}

/// A loopback HTTP/1.1 server that answers like Cognito's JSON API, driven by a
/// closure per request (SPEC §5 fault injection). Keep-alive as NIO's pipeline does it.
final class FakeCognitoServer: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: NIOLockedValueBox<(requests: [FakeRequest], connections: Int)>
    let port: Int

    var endpoint: String { "http://127.0.0.1:\(port)/" }
    var requests: [FakeRequest] { state.withLockedValue { $0.requests } }
    var connectionsAccepted: Int { state.withLockedValue { $0.connections } }

    init(_ responder: @escaping @Sendable (FakeRequest) -> FakeAnswer) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = NIOLockedValueBox<(requests: [FakeRequest], connections: Int)>(([], 0))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.withLockedValue { $0.connections += 1 }
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(FakeCognitoHandler(responder: responder, state: state))
                }
            }
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.state = state
        port = channel.localAddress!.port!
    }

    private let stopped = NIOLockedValueBox(false)

    /// Closes every connection and the listener; idempotent.
    func stop() {
        guard stopped.withLockedValue({ (s: inout Bool) -> Bool in defer { s = true }; return !s }) else { return }
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class FakeCognitoHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let responder: @Sendable (FakeRequest) -> FakeAnswer
    let state: NIOLockedValueBox<(requests: [FakeRequest], connections: Int)>
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(responder: @escaping @Sendable (FakeRequest) -> FakeAnswer,
         state: NIOLockedValueBox<(requests: [FakeRequest], connections: Int)>) {
        self.responder = responder
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = FakeRequest(method: "\(head.method)", uri: head.uri, headers: headers, body: body)
            state.withLockedValue { $0.requests.append(request) }
            switch responder(request) {
            case .hang:
                break
            case .respond(let status, let extra, let bytes):
                var out = HTTPHeaders(extra)
                out.replaceOrAdd(name: "Content-Length", value: "\(bytes.count)")
                let responseHead = HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: out)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .chunked(let status, let chunks):
                let responseHead = HTTPResponseHead(version: head.version, status: .init(statusCode: status))
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                for chunk in chunks {
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: chunk)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// A loopback port nothing listens on: bound, then closed.
func closedLoopbackPort() throws -> Int {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { try? group.syncShutdownGracefully() }
    let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return port
}
