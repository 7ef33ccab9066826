import Logging

/// Everything the service is told at start-up (SPEC §7). A plain value, built
/// once by `ServiceConfig.load` and passed in; nothing below reads the environment.
public struct ServiceConfig: Sendable {
    public var listenHost = "127.0.0.1"
    public var listenPort = 7400
    /// TLS on the RPC listener; nil serves plaintext, which only a loopback address may
    /// do unless `allowPlaintext` (SPEC §8).
    public var tls: TLSSettings?
    /// Plaintext on a non-loopback address was asked for explicitly (`AUTHRPC_ALLOW_PLAINTEXT=1`).
    public var allowPlaintext = false
    public var region = ""
    public var pools: [PoolConfig] = []
    /// Accepted `aud` / `client_id` values; the first is the app client Cognito calls use.
    public var clientIDs: [String] = []
    public var clientSecret: Secret?
    /// Base URL of the Cognito IDP JSON API, ending in `/`.
    public var cognitoEndpoint = ""

    public var maxFrameBytes = 65536
    public var maxInFlightPerConnection = 1024
    /// What one connection may make the server hold: about half for answers not yet
    /// taken by the client, half for requests read ahead (`ConnectionBuffering`).
    public var connectionBufferBytes = 256 << 10
    public var idleTimeout: Duration = .seconds(300)
    /// Connections older than this drain and close (SPEC §9); nil: never.
    public var maxConnectionAge: Duration?
    public var maxConnections = 10000
    public var shutdownGrace: Duration = .seconds(10)

    public var maxTokenBytes = 16384
    public var jwksMinRefresh: Duration = .seconds(10)
    public var jwksRefresh: Duration = .seconds(3600)
    public var clockLeewaySeconds: Int64 = 0
    public var verifyCacheEntries = 100_000
    /// The verified-token cache's memory bound, on top of its entry bound; 0 disables it.
    public var verifyCacheBytes = 64 << 20

    public var cognitoMaxInFlight = 256
    public var cognitoConnectTimeout: Duration = .seconds(2)
    public var cognitoTimeout: Duration = .seconds(10)

    /// Which caller may call which method (SPEC §8), read from `policyFile`; nil: every
    /// caller may call everything.
    public var callerPolicy: CallerPolicy?
    public var policyFile: String?
    /// Authenticate and ForgotPassword per username; nil: no limit.
    public var signInRate: RateLimit? = RateLimit(perSecond: 5.0 / 60, burst: 5)
    /// Account methods per caller; nil: no limit.
    public var callerRate: RateLimit?

    /// The admin HTTP listener (SPEC §9: /metrics, /healthz, /readyz, /version); nil: none.
    public var adminListen: (host: String, port: Int)? = ("127.0.0.1", 7401)
    /// Request metrics recorded on the RPC path (`AUTHRPC_METRICS=off` stops that; the
    /// admin listener still serves everything else).
    public var metricsEnabled = true

    /// Event-loop threads; 0 means one per core.
    public var threads = 0
    public var logLevel: Logger.Level = .info
    /// `text` (swift-log's stream lines) or `json` (one object a line).
    public var logFormat: LogFormat = .text
    /// Which answers get an access line; account operations are audited whatever this says.
    public var accessLog: AccessLogMode = .failures

    public init() {}

    /// The client id Cognito calls are made as.
    public var primaryClientID: String { clientIDs.first ?? "" }
}
