import AuthRPCClient

/// What `authrpc bench verify` should do.
public struct LoadPlan: Sendable {
    public var host = "127.0.0.1"
    public var port = 7400
    public var connections = 16
    /// Requests kept outstanding per connection (closed loop). Ignored with `rate`.
    public var depth = 32
    /// Stop after this long (the default) ...
    public var duration: Duration = .seconds(10)
    /// ... or after this many requests in all, when set.
    public var requestLimit: Int?
    /// Open loop: send this many requests per second in all, on schedule, whatever
    /// the answers do; latency counts from the scheduled time, so a stalled server
    /// shows up in the tail instead of being hidden (no coordinated omission).
    public var rate: Double?
    /// Requests to send, chosen in turn from this list (repeat entries to weight them).
    public var templates: [RequestTemplate] = []
    /// Print a progress line to standard error once a second.
    public var progress = true
    /// Connect over TLS with this context. The handshakes happen before the clock starts.
    public var tls: ClientTLS?

    public init() {}
}
