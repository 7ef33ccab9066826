import ArgumentParser
import AuthRPC
import Foundation
import Logging

/// `authrpc serve`: run the service. Every flag overrides the environment variable
/// of the same meaning (SPEC §7); secrets are better passed in the environment,
/// where `ps` cannot see them.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the authrpc server (configured by environment variables; flags override them).")

    typealias Key = ServiceConfig.Key

    @Option(help: "HOST:PORT to listen on (\(Key.listen), default 127.0.0.1:7400).") var listen: String?
    @Option(help: "Default AWS region (\(Key.region)).") var region: String?
    @Option(name: .customLong("user-pool-id"), help: "Cognito user pool id(s), comma-separated (\(Key.userPoolID)).") var userPoolID: String?
    @Option(name: .customLong("client-id"), help: "App client id(s), comma-separated; the first makes Cognito calls (\(Key.clientID)).") var clientID: String?
    @Option(name: .customLong("client-secret"), help: "App client secret (\(Key.clientSecret)); prefer the environment variable.") var clientSecret: String?
    @Option(help: "Cognito IDP endpoint URL (\(Key.endpoint)).") var endpoint: String?
    @Option(name: .customLong("jwks-url"), help: "JWKS URL override, http(s):// or file:// (\(Key.jwksURL)).") var jwksURL: String?
    @Option(help: "Issuer override for emulators, one pool only (\(Key.issuer)).") var issuer: String?
    @Option(help: "Largest accepted frame in bytes (\(Key.maxFrameBytes), default 65536).") var maxFrameBytes: String?
    @Option(help: "Requests in flight per connection before reading pauses (\(Key.maxInFlight), default 1024).") var maxInFlight: String?
    @Option(help: "Bytes one connection may make the server hold, answers plus read-ahead (\(Key.connectionBufferBytes), default 262144).") var connectionBufferBytes: String?
    @Option(help: "Seconds before an idle connection (or one not reading its answers) closes (\(Key.idleTimeout), default 300).") var idleTimeout: String?
    @Option(help: "Open connections allowed (\(Key.maxConnections), default 10000).") var maxConnections: String?
    @Option(help: "Seconds to finish in-flight work on SIGTERM (\(Key.shutdownGrace), default 10).") var shutdownGrace: String?
    @Option(help: "Largest accepted token in bytes (\(Key.maxTokenBytes), default 16384).") var maxTokenBytes: String?
    @Option(help: "Least seconds between unknown-kid JWKS refetches (\(Key.jwksMinRefresh), default 10).") var jwksMinRefresh: String?
    @Option(help: "Seconds between background JWKS refreshes (\(Key.jwksRefresh), default 3600).") var jwksRefresh: String?
    @Option(help: "Clock leeway in seconds for exp/nbf/iat (\(Key.clockLeeway), default 0).") var clockLeeway: String?
    @Option(help: "Verified-token cache entries, 0 disables (\(Key.verifyCacheEntries), default 100000).") var verifyCacheEntries: String?
    @Option(help: "Verified-token cache memory bound in bytes, 0 disables (\(Key.verifyCacheBytes), default 67108864).") var verifyCacheBytes: String?
    @Option(help: "Outstanding Cognito calls allowed (\(Key.cognitoMaxInFlight), default 256).") var cognitoMaxInflight: String?
    @Option(help: "Cognito connect timeout in ms (\(Key.cognitoConnectTimeout), default 2000).") var cognitoConnectTimeoutMs: String?
    @Option(help: "Cognito whole-call timeout in ms (\(Key.cognitoTimeout), default 10000).") var cognitoTimeoutMs: String?
    @Option(help: "Event-loop threads, 0 = one per core (\(Key.threads), default 0).") var threads: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (\(Key.logLevel), default info).") var logLevel: String?
    @Option(name: .customLong("tls-cert"), help: "Server certificate chain, PEM; with --tls-key serves TLS 1.3 (\(Key.tlsCert)).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "The certificate's private key, PEM (\(Key.tlsKey)).") var tlsKey: String?
    @Option(name: .customLong("tls-client-ca"), help: "CA whose client certificates are required: mTLS (\(Key.tlsClientCA)).") var tlsClientCA: String?
    @Option(name: .customLong("tls-handshake-timeout"), help: "Seconds a TLS handshake may take (\(Key.tlsHandshakeTimeout), default 10).") var tlsHandshakeTimeout: String?
    @Option(name: .customLong("tls-reload-check"), help: "Seconds between checks of the TLS files for changes (\(Key.tlsReloadCheck), default 5).") var tlsReloadCheck: String?
    @Option(name: .customLong("allow-plaintext"), help: "1 to serve plaintext on a non-loopback address (\(Key.allowPlaintext)); never needed on loopback.") var allowPlaintext: String?
    @Option(help: "HOST:PORT of the admin HTTP listener (/metrics, /healthz, /readyz, /version); empty disables it (\(Key.adminListen), default 127.0.0.1:7401).") var adminListen: String?
    @Option(help: "on or off: count requests for /metrics (\(Key.metrics), default on).") var metrics: String?
    @Option(help: "text or json: json writes one JSON object a line (\(Key.logFormat), default text).") var logFormat: String?
    @Option(help: "off, failures or all: which answers get an access line (\(Key.accessLog), default failures).") var accessLog: String?

    /// The flags given, under their environment variable names.
    private var overrides: [String: String] {
        let pairs: [(String, String?)] = [
            (Key.listen, listen), (Key.region, region), (Key.userPoolID, userPoolID), (Key.clientID, clientID),
            (Key.clientSecret, clientSecret), (Key.endpoint, endpoint), (Key.jwksURL, jwksURL), (Key.issuer, issuer),
            (Key.maxFrameBytes, maxFrameBytes), (Key.maxInFlight, maxInFlight), (Key.idleTimeout, idleTimeout),
            (Key.connectionBufferBytes, connectionBufferBytes), (Key.verifyCacheBytes, verifyCacheBytes),
            (Key.maxConnections, maxConnections), (Key.shutdownGrace, shutdownGrace), (Key.maxTokenBytes, maxTokenBytes),
            (Key.jwksMinRefresh, jwksMinRefresh), (Key.jwksRefresh, jwksRefresh), (Key.clockLeeway, clockLeeway),
            (Key.verifyCacheEntries, verifyCacheEntries), (Key.cognitoMaxInFlight, cognitoMaxInflight),
            (Key.cognitoConnectTimeout, cognitoConnectTimeoutMs), (Key.cognitoTimeout, cognitoTimeoutMs),
            (Key.threads, threads), (Key.logLevel, logLevel),
            (Key.tlsCert, tlsCert), (Key.tlsKey, tlsKey), (Key.tlsClientCA, tlsClientCA),
            (Key.tlsHandshakeTimeout, tlsHandshakeTimeout), (Key.tlsReloadCheck, tlsReloadCheck),
            (Key.allowPlaintext, allowPlaintext), (Key.adminListen, adminListen), (Key.metrics, metrics),
            (Key.logFormat, logFormat), (Key.accessLog, accessLog),
        ]
        var result: [String: String] = [:]
        for case let (key, value?) in pairs { result[key] = value }
        return result
    }

    func run() async throws {
        let settings = ProcessInfo.processInfo.environment.merging(overrides) { _, flag in flag }
        let config: ServiceConfig
        do {
            config = try ServiceConfig.load(from: settings)
        } catch {
            FileHandle.standardError.write(Data("authrpc: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        LogOutput.bootstrap(format: config.logFormat, level: config.logLevel)
        let logger = Logger(label: "authrpc")
        logger.info("starting", metadata: [
            "version": "\(BuildInfo.version)",
            "commit": "\(BuildInfo.commit)",
            "pools": "\(config.pools.map(\.issuer).joined(separator: ","))",
            "client_secret": "\(config.clientSecret == nil ? "unset" : "set")",
        ])
        let application: AuthRPCApplication
        do {
            application = try AuthRPCApplication(config: config, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("authrpc: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG: a TLS file that does not load is a bad setting
        }
        try await application.run()
    }
}
