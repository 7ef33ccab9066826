/// The one way authrpc talks HTTP (Cognito's JSON API and JWKS documents), so
/// tests and callers never care that libcurl sits behind it.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var connectTimeout: Duration
    /// The whole call: connect, send, wait, receive.
    public var timeout: Duration
    /// A longer body fails the call with `.bodyTooLarge` instead of being buffered.
    public var maxResponseBytes: Int

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                connectTimeout: Duration = .seconds(2), timeout: Duration = .seconds(10),
                maxResponseBytes: Int = 1 << 20) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
        self.connectTimeout = connectTimeout; self.timeout = timeout; self.maxResponseBytes = maxResponseBytes
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }
}

/// Why a call produced no HTTP response. `neverSent` cases are the only ones a
/// caller may retry without risking a second execution (SPEC §5).
public enum HTTPError: Error, Sendable, Equatable {
    /// DNS failed or the connection was refused: the request never left.
    case couldNotConnect(String)
    case timedOut
    case bodyTooLarge(limit: Int)
    case transport(String)

    public var neverSent: Bool {
        if case .couldNotConnect = self { return true }
        return false
    }
}

public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}
