import NIOCore
import NIOPosix
import Synchronization
import Wire

/// A client of authrpc for a Swift service (SPEC §10): any number of concurrent calls
/// pipelined on one connection, a list of server addresses, reconnects with jittered
/// backoff, a timeout per call (also sent as the request's `deadline_ms`), and typed
/// errors: a non-OK answer throws `AuthRPCStatusError`, a transport failure
/// `AuthRPCClientError`.
///
/// When the connection drops, every call in flight on it fails at once with
/// `AuthRPCClientError.connectionClosed`, never with another call's answer; nothing is
/// resent (sign-ups and sign-ins are not idempotent). The next call connects again,
/// starting with the address after the one that failed.
public final class AuthRPCClient: Sendable {
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port`, `[v6]:port`; nil when it is not one.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (1...65535).contains(port) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public struct Options: Sendable {
        /// Used when a call gives none.
        public var timeout: Duration = .seconds(5)
        public var connectTimeout: Duration = .seconds(2)
        public var tls: ClientTLS?
        /// Backoff between rounds over the addresses when none answered: doubling from
        /// `initialBackoff` to `maxBackoff`, half of it random.
        public var initialBackoff: Duration = .milliseconds(50)
        public var maxBackoff: Duration = .seconds(2)
        public var maxFrameBytes = 16 << 20
        /// W3C `traceparent` (SPEC §9) of every call made outside a `withTraceparent` block;
        /// "" sends none.
        public var traceparent = ""

        public init() {}
    }

    private let addresses: [Address]
    private let options: Options
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    private struct State {
        var current: AuthRPCConnection?
        /// The one dial in progress, shared by every caller that needs a connection.
        var dialing: Task<AuthRPCConnection, any Error>?
        /// Where the next dial starts.
        var nextAddress = 0
        var closed = false
    }

    public init(addresses: [Address], options: Options = Options(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        precondition(!addresses.isEmpty, "an AuthRPCClient needs at least one address")
        self.addresses = addresses
        self.options = options
        self.group = group
        state.withLock { $0.nextAddress = Int.random(in: 0..<addresses.count) }
    }

    /// Sends `body` and returns the answer's body; throws `AuthRPCStatusError` for a
    /// non-OK answer and `AuthRPCClientError` when there is none (`.timedOut`,
    /// `.connectionClosed`, `.unreachable`, ...).
    ///
    /// An answer `UNAVAILABLE` / `ShuttingDown` means the server did not start the request
    /// (it is draining the connection: shutting down, or the connection reached its
    /// maximum age): the call is sent once more on a new connection, within its timeout.
    public func call(_ body: Request.Body, timeout: Duration? = nil) async throws -> Response.Body? {
        let deadline = ContinuousClock.now + (timeout ?? options.timeout)
        do {
            return try await attempt(body, before: deadline)
        } catch let error as AuthRPCStatusError where error.status == .unavailable && error.errorType == "ShuttingDown" {
            return try await attempt(body, before: deadline)
        }
    }

    /// The W3C `traceparent` ("00-<32 hex>-<16 hex>-<2 hex>", SPEC §9) of every call
    /// made in this task and its child tasks, over `Options.traceparent`. The server logs
    /// its trace id in the access and audit lines and forwards it nowhere; one that does
    /// not parse is ignored, not refused. Use `$traceparent.withValue(_:operation:)`.
    @TaskLocal public static var traceparent = ""

    private func attempt(_ body: Request.Body, before deadline: ContinuousClock.Instant) async throws -> Response.Body? {
        let connection = try await connection(before: deadline)
        let remaining = deadline - .now
        guard remaining > .zero else { throw AuthRPCClientError.timedOut }
        let traceparent = Self.traceparent.isEmpty ? options.traceparent : Self.traceparent
        let request = Request(id: connection.makeID(), deadlineMs: UInt32(clamping: max(1, remaining.milliseconds)),
                              traceparent: traceparent, body: body)
        let response: Response
        do {
            response = try await connection.send(request).withTimeout(remaining).get()
        } catch is ChannelError {
            // Written as the connection closed: a transport failure like any other drop.
            forget(connection)
            throw AuthRPCClientError.connectionClosed
        } catch is IOError {
            forget(connection)
            throw AuthRPCClientError.connectionClosed
        } catch {
            if !connection.isActive { forget(connection) }
            throw error
        }
        guard response.status == .ok else {
            if response.errorType == "ShuttingDown" { forget(connection) }
            throw AuthRPCStatusError(response)
        }
        return response.body
    }

    /// Closes the connection; calls after this fail with `.clientClosed`.
    public func close() async {
        let (current, dialing) = state.withLock { s in
            s.closed = true
            defer { s.current = nil; s.dialing = nil }
            return (s.current, s.dialing)
        }
        dialing?.cancel()
        await current?.close()
        if let late = try? await dialing?.value { await late.close() }
    }

    // MARK: connections

    private enum Next {
        case ready(AuthRPCConnection)
        case dialing(Task<AuthRPCConnection, any Error>)
    }

    /// A live connection, dialling (once, shared) when there is none, with backoff
    /// between failed rounds, until `deadline`.
    private func connection(before deadline: ContinuousClock.Instant) async throws -> AuthRPCConnection {
        var backoff = options.initialBackoff
        while true {
            let next: Next = try state.withLock { s in
                if s.closed { throw AuthRPCClientError.clientClosed }
                if let current = s.current, current.isActive { return .ready(current) }
                s.current = nil
                if let dialing = s.dialing { return .dialing(dialing) }
                let start = s.nextAddress
                let dialing = Task { try await self.dialRound(startingAt: start) }
                s.dialing = dialing
                return .dialing(dialing)
            }
            do {
                switch next {
                case .ready(let connection): return connection
                case .dialing(let dial): return try await dial.value
                }
            } catch let error as AuthRPCClientError where error.isUnreachable {
                // No address answered this round: wait, jittered, if the deadline allows.
                let wait = backoff / 2 + backoff / 2 * Double.random(in: 0...1)
                guard ContinuousClock.now + wait < deadline else { throw error }
                try await Task.sleep(for: wait)
                backoff = min(backoff * 2, options.maxBackoff)
            }
        }
    }

    /// One round over the addresses from `start`; the first that connects is kept.
    private func dialRound(startingAt start: Int) async throws -> AuthRPCConnection {
        var reasons: [String] = []
        for offset in 0..<addresses.count {
            let index = (start + offset) % addresses.count
            let address = addresses[index]
            do {
                let connection = try await AuthRPCConnection.connect(
                    host: address.host, port: address.port, group: group, connectTimeout: options.connectTimeout,
                    maxFrameBytes: options.maxFrameBytes, tls: options.tls)
                let kept = state.withLock { s -> Bool in
                    s.dialing = nil
                    guard !s.closed else { return false }
                    s.current = connection
                    s.nextAddress = (index + 1) % addresses.count
                    return true
                }
                if !kept {
                    await connection.close()
                    throw AuthRPCClientError.clientClosed
                }
                return connection
            } catch let error as AuthRPCClientError where error == .clientClosed {
                throw error
            } catch {
                reasons.append("\(address): \(error)")
            }
        }
        state.withLock { s in
            s.dialing = nil
            s.nextAddress = (start + 1) % addresses.count
        }
        throw AuthRPCClientError.unreachable(reasons.joined(separator: "; "))
    }

    /// Drops `connection` once it has closed, so the next call dials.
    private func forget(_ connection: AuthRPCConnection) {
        state.withLock { s in
            if s.current === connection { s.current = nil }
        }
    }
}

/// A non-OK answer: its status, `error_type`, message and `retry_after_ms`, typed by
/// status so a caller can switch on it.
public struct AuthRPCStatusError: Error, Sendable, CustomStringConvertible {
    public let response: Response

    public init(_ response: Response) { self.response = response }

    public var status: Status { response.status }
    public var errorType: String { response.errorType }
    public var message: String { response.message }
    /// When the server says a retry makes sense; 0 when it says nothing.
    public var retryAfterMs: UInt32 { response.retryAfterMs }

    public var description: String { "\(status) \(errorType): \(message)" }
}

extension EventLoopFuture {
    /// This future, or `AuthRPCClientError.timedOut` after `timeout`; the later of the two
    /// is dropped.
    fileprivate func withTimeout(_ timeout: Duration) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(AuthRPCClientError.timedOut)
        }
        whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
