import NIOCore
public import Wire

/// One request, as the interception point sees it.
public struct Call: Sendable {
    /// nil when the frame did not decode, or named a body this build does not know.
    public var method: Method?
    public var requestID: UInt64
    public var connection: ConnectionInfo
    public var started: NIODeadline
    /// The request's `traceparent` as sent (SPEC §9); parsed only when a line is written.
    public var traceparent: String = ""
    /// The token the request carries (VerifyToken, CheckGroups, SignOut, RefreshTokens),
    /// so a log line can name it by `TokenFingerprint`. Never logged itself. For the hot
    /// path's requests a view of the frame, not a copy.
    public var token = TokenBytes()
    /// How many interceptors, in chain order, let this request through `admit`: a limit
    /// counted in `admit` is given back in `completed` only by those.
    var admittedBy = 0

    public init(method: Method?, requestID: UInt64, connection: ConnectionInfo, started: NIODeadline) {
        self.method = method
        self.requestID = requestID
        self.connection = connection
        self.started = started
    }

    /// A decoded request: its method, id, trace context and token. Copies two string
    /// references and nothing else, so the hot path pays no formatting here.
    public init(request: Request, connection: ConnectionInfo, started: NIODeadline) {
        self.init(method: request.body.flatMap(Method.init), requestID: request.id, connection: connection,
                  started: started)
        traceparent = request.traceparent
        switch request.body {
        case .verifyToken(let body)?: token = body.token
        case .checkGroups(let body)?: token = body.token
        case .signOut(let body)?: token = TokenBytes(body.accessToken)
        case .refreshTokens(let body)?: token = TokenBytes(body.refreshToken)
        default: break
        }
    }
}

/// The one place every request passes through, on its connection's event loop: before
/// dispatch (`admit`, which may answer in the method's stead: a policy denial, a rate
/// limit) and once its answer is written (`completed`: access log, metrics). Requests
/// that never reach a method pass too — frames that do not decode, answers of a draining
/// server — so what is counted is what the client got.
///
/// Both run for every request of the hot path: no allocation, no lock every request
/// waits on, nothing that blocks. Interceptors are classes: the chain then holds plain
/// references, and calling each one costs no copy of a boxed value (a struct holding a
/// `Logger` is copied, retains and all, every time it is called through the chain).
public protocol CallInterceptor: AnyObject, Sendable {
    /// nil lets the request through to its method; a response is the answer instead.
    func admit(_ call: Call, request: Request) -> Response?
    /// The answer as written, and how long it took from decoding. `admitted`: this
    /// interceptor's `admit` saw the request and let it through (false for frames that
    /// never decoded, for answers of a draining server, and when `admit` refused it or an
    /// earlier interceptor did).
    func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool)
}

extension CallInterceptor {
    public func admit(_ call: Call, request: Request) -> Response? { nil }
    public func completed(_ call: Call, answer: Response, duration: TimeAmount, admitted: Bool) {}
}

/// The interceptors of a server, in order: the first to answer in `admit` wins;
/// every one sees `completed`.
public struct CallInterceptors: Sendable {
    private let chain: [any CallInterceptor]

    public init(_ chain: [any CallInterceptor]) { self.chain = chain }

    /// Records in `call` how far the request got, for `completed`.
    ///
    /// The chain is walked through its buffer: an `Array` iterator hands out copies, and
    /// copying an existential is a retain and a release per interceptor per request.
    func admit(_ call: inout Call, request: Request) -> Response? {
        chain.withUnsafeBufferPointer { chain in
            for index in chain.indices {
                if let answer = chain[index].admit(call, request: request) { return answer }
                call.admittedBy += 1
            }
            return nil
        }
    }

    func completed(_ call: Call, answer: Response, duration: TimeAmount) {
        chain.withUnsafeBufferPointer { chain in
            for index in chain.indices {
                chain[index].completed(call, answer: answer, duration: duration, admitted: index < call.admittedBy)
            }
        }
    }
}
