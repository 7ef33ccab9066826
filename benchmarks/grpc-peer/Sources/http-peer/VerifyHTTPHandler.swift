import Foundation
import NIOCore
import NIOHTTP1
import TokenVerification

/// `GET /v1/verify` with `Authorization: Bearer <token>`: 200 and the claims as JSON, or
/// 401 (403 for a missing scope) and `{"error_type": ..., "message": ...}`. The shape of
/// the HTTP token checks authrpc's users run today. Runs on the event loop, as authrpc's
/// handler does; only an unknown kid waits for a JWKS refetch off the loop. Requests
/// arrive one at a time (NIOHTTP1's pipelining assistance holds back the next).
final class VerifyHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let verifier: TokenVerifier
    private var head: HTTPRequestHead?

    init(verifier: TokenVerifier) { self.verifier = verifier }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first ?? ""
        guard path == "/v1/verify" else {
            return send(.notFound, JSONAnswer.error("NotFound", "no such path"), head: head, context: context)
        }
        guard let header = head.headers.first(name: "authorization"), header.hasPrefix("Bearer ") else {
            return send(.unauthorized, JSONAnswer.error("MissingToken", "Authorization: Bearer <token> required"),
                        head: head, context: context)
        }
        let token = String(header.dropFirst("Bearer ".count))
        let outcome = verifier.verify(token, prepare: JSONAnswer.prepare)
        if case .awaitingKeys(let fetch) = outcome {
            let loop = context.eventLoop, verifier = verifier
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            Task {
                let later = await verifier.verify(token, after: fetch, prepare: JSONAnswer.prepare)
                loop.execute {
                    let (handler, context) = bound.value
                    handler.finish(later, head: head, context: context)
                    context.flush()
                }
            }
            return
        }
        finish(outcome, head: head, context: context)
    }

    private func finish(_ outcome: TokenVerifier.Outcome, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch outcome {
        case .verified(let token):
            let body = (token.answer as? JSONAnswer)?.body ?? JSONAnswer.encode(token.claims)
            send(.ok, body, head: head, context: context)
        case .failed(let error):
            send(error.kind == .missingScope ? .forbidden : .unauthorized, JSONAnswer.error(error.errorType, error.message),
                 head: head, context: context)
        case .awaitingKeys:
            let error = TokenVerifier.unknownKey
            send(.unauthorized, JSONAnswer.error(error.errorType, error.message), head: head, context: context)
        }
    }

    private func send(_ status: HTTPResponseStatus, _ body: [UInt8], head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
        }
    }
}

/// The claims as JSON through `Codable` and `JSONEncoder`, the way an HTTP service in
/// Swift would write them; made once per verified token and kept with it in the
/// verified-token cache, so a repeat sends the same bytes again.
final class JSONAnswer: PreparedAnswer {
    let body: [UInt8]
    let claims: VerifiedClaims
    var byteCount: Int { body.count + 256 }

    init(_ claims: VerifiedClaims) {
        self.claims = claims
        self.body = Self.encode(claims)
    }

    @Sendable static func prepare(_ claims: ClaimPositions) -> (any PreparedAnswer)? { JSONAnswer(claims.verifiedClaims) }

    private struct Body: Encodable {
        let sub, username, email: String
        let email_verified: Bool
        let groups: [String]
        let token_use: String
        let client_id: String
        let scopes: [String]
        let issuer: String
        let issued_at, expires_at, auth_time: Int64
        let jti, origin_jti, payload_json: String
    }

    static func encode(_ c: VerifiedClaims) -> [UInt8] {
        let body = Body(sub: c.subject, username: c.username, email: c.email, email_verified: c.emailVerified,
                        groups: c.groups, token_use: c.tokenUse == .id ? "id" : c.tokenUse == .access ? "access" : "",
                        client_id: c.clientID, scopes: c.scopes, issuer: c.issuer, issued_at: c.issuedAt,
                        expires_at: c.expiresAt, auth_time: c.authTime, jti: c.jti, origin_jti: c.originJTI,
                        payload_json: c.payloadJSON)
        return (try? Array(JSONEncoder().encode(body))) ?? Array(#"{"error_type":"Internal"}"#.utf8)
    }

    static func error(_ type: String, _ message: String) -> [UInt8] {
        (try? Array(JSONEncoder().encode(["error_type": type, "message": message]))) ?? []
    }
}
