import Foundation
import Logging
import NIOCore

extension ServiceConfig {
    /// Names of every setting (SPEC §7); `serve` flags override them under the same names.
    public enum Key {
        public static let listen = "AUTHRPC_LISTEN"
        public static let region = "COGNITO_REGION"
        public static let userPoolID = "COGNITO_USER_POOL_ID"
        public static let clientID = "COGNITO_CLIENT_ID"
        public static let clientSecret = "COGNITO_CLIENT_SECRET"
        public static let endpoint = "COGNITO_ENDPOINT"
        public static let jwksURL = "COGNITO_JWKS_URL"
        public static let issuer = "COGNITO_ISSUER"
        public static let maxFrameBytes = "AUTHRPC_MAX_FRAME_BYTES"
        public static let maxInFlight = "AUTHRPC_MAX_IN_FLIGHT"
        public static let connectionBufferBytes = "AUTHRPC_CONNECTION_BUFFER_BYTES"
        public static let idleTimeout = "AUTHRPC_IDLE_TIMEOUT_S"
        public static let maxConnections = "AUTHRPC_MAX_CONNECTIONS"
        public static let shutdownGrace = "AUTHRPC_SHUTDOWN_GRACE_S"
        public static let maxTokenBytes = "AUTHRPC_MAX_TOKEN_BYTES"
        public static let jwksMinRefresh = "AUTHRPC_JWKS_MIN_REFRESH_S"
        public static let jwksRefresh = "AUTHRPC_JWKS_REFRESH_S"
        public static let clockLeeway = "AUTHRPC_CLOCK_LEEWAY_S"
        public static let verifyCacheEntries = "AUTHRPC_VERIFY_CACHE_ENTRIES"
        public static let verifyCacheBytes = "AUTHRPC_VERIFY_CACHE_BYTES"
        public static let cognitoMaxInFlight = "AUTHRPC_COGNITO_MAX_INFLIGHT"
        public static let cognitoConnectTimeout = "AUTHRPC_COGNITO_CONNECT_TIMEOUT_MS"
        public static let cognitoTimeout = "AUTHRPC_COGNITO_TIMEOUT_MS"
        public static let threads = "AUTHRPC_THREADS"
        public static let logLevel = "AUTHRPC_LOG_LEVEL"
        public static let tlsCert = "AUTHRPC_TLS_CERT"
        public static let tlsKey = "AUTHRPC_TLS_KEY"
        public static let tlsClientCA = "AUTHRPC_TLS_CLIENT_CA"
        public static let tlsHandshakeTimeout = "AUTHRPC_TLS_HANDSHAKE_TIMEOUT_S"
        public static let tlsReloadCheck = "AUTHRPC_TLS_RELOAD_CHECK_S"
        public static let allowPlaintext = "AUTHRPC_ALLOW_PLAINTEXT"
    }

    /// Builds and validates the configuration from `settings` (the environment with
    /// flag overrides applied). Collects every problem before failing.
    public static func load(from settings: [String: String]) throws(ConfigError) -> ServiceConfig {
        var reader = SettingsReader(settings: settings)
        var config = ServiceConfig()

        var listenValid = true
        if let listen = reader.string(Key.listen) {
            if let (host, port) = parseHostPort(listen) {
                config.listenHost = host; config.listenPort = port
            } else {
                listenValid = false
                reader.problem("\(Key.listen) must be HOST:PORT with a port from 0 to 65535 (got \"\(listen)\")")
            }
        }
        loadTransportSecurity(into: &config, from: &reader, listenValid: listenValid)

        let poolIDs = reader.list(Key.userPoolID)
        let defaultRegion = reader.string(Key.region)
        if let region = defaultRegion, !isRegion(region) {
            reader.problem("\(Key.region) must look like us-east-1 (got \"\(region)\")")
        }
        config.region = defaultRegion ?? ""
        if poolIDs.isEmpty { reader.problem("\(Key.userPoolID) is required (one or more pool ids, comma-separated)") }

        config.clientIDs = reader.list(Key.clientID)
        if config.clientIDs.isEmpty { reader.problem("\(Key.clientID) is required (one or more app client ids, comma-separated)") }
        for id in config.clientIDs where !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            reader.problem("\(Key.clientID) entry \"\(id)\" must be letters and digits only")
        }
        if let secret = reader.string(Key.clientSecret) { config.clientSecret = Secret(secret) }

        let endpoint = reader.string(Key.endpoint)
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            reader.problem("\(Key.endpoint) must be an http:// or https:// URL (got \"\(endpoint)\")")
        }
        let jwksURL = reader.string(Key.jwksURL)
        if let jwksURL, !(jwksURL.hasPrefix("http://") || jwksURL.hasPrefix("https://") || jwksURL.hasPrefix("file://")) {
            reader.problem("\(Key.jwksURL) must be an http://, https:// or file:// URL (got \"\(jwksURL)\")")
        }
        let issuerOverride = reader.string(Key.issuer)
        if poolIDs.count > 1 {
            if jwksURL != nil { reader.problem("\(Key.jwksURL) can only be set with a single user pool") }
            if issuerOverride != nil { reader.problem("\(Key.issuer) can only be set with a single user pool") }
        }

        for poolID in poolIDs {
            guard let idRegion = regionOfPool(poolID) else {
                reader.problem("\(Key.userPoolID) entry \"\(poolID)\" is not a pool id like us-east-1_AbC123")
                continue
            }
            let region = idRegion.isEmpty ? (defaultRegion ?? "") : idRegion
            if region.isEmpty {
                reader.problem("\(Key.region) is required: pool \"\(poolID)\" does not name its region")
                continue
            }
            let base = trimmedSlash(endpoint ?? "https://cognito-idp.\(region).amazonaws.com")
            let issuer = issuerOverride ?? "https://cognito-idp.\(region).amazonaws.com/\(poolID)"
            config.pools.append(PoolConfig(poolID: poolID, region: region, issuer: issuer,
                                           jwksURL: jwksURL ?? "\(base)/\(poolID)/.well-known/jwks.json"))
        }
        if config.region.isEmpty, let first = config.pools.first { config.region = first.region }
        config.cognitoEndpoint = trimmedSlash(endpoint ?? "https://cognito-idp.\(config.region).amazonaws.com") + "/"

        config.maxFrameBytes = reader.int(Key.maxFrameBytes, default: config.maxFrameBytes, in: 64...(64 << 20))
        config.maxInFlightPerConnection = reader.int(Key.maxInFlight, default: config.maxInFlightPerConnection, in: 1...1_000_000)
        config.connectionBufferBytes = reader.int(Key.connectionBufferBytes, default: config.connectionBufferBytes,
                                                  in: (16 << 10)...(64 << 20))
        config.idleTimeout = .seconds(reader.int(Key.idleTimeout, default: 300, in: 1...86_400))
        config.maxConnections = reader.int(Key.maxConnections, default: config.maxConnections, in: 1...1_000_000)
        config.shutdownGrace = .seconds(reader.int(Key.shutdownGrace, default: 10, in: 0...3600))
        config.maxTokenBytes = reader.int(Key.maxTokenBytes, default: config.maxTokenBytes, in: 256...(1 << 20))
        config.jwksMinRefresh = .seconds(reader.int(Key.jwksMinRefresh, default: 10, in: 0...86_400))
        config.jwksRefresh = .seconds(reader.int(Key.jwksRefresh, default: 3600, in: 1...604_800))
        config.clockLeewaySeconds = Int64(reader.int(Key.clockLeeway, default: 0, in: 0...3600))
        config.verifyCacheEntries = reader.int(Key.verifyCacheEntries, default: config.verifyCacheEntries, in: 0...100_000_000)
        config.verifyCacheBytes = reader.int(Key.verifyCacheBytes, default: config.verifyCacheBytes, in: 0...(1 << 40))
        config.cognitoMaxInFlight = reader.int(Key.cognitoMaxInFlight, default: config.cognitoMaxInFlight, in: 1...100_000)
        config.cognitoConnectTimeout = .milliseconds(reader.int(Key.cognitoConnectTimeout, default: 2000, in: 1...600_000))
        config.cognitoTimeout = .milliseconds(reader.int(Key.cognitoTimeout, default: 10_000, in: 1...600_000))
        config.threads = reader.int(Key.threads, default: 0, in: 0...1024)

        if let level = reader.string(Key.logLevel) {
            if let parsed = Logger.Level(rawValue: level.lowercased()) {
                config.logLevel = parsed
            } else {
                reader.problem("\(Key.logLevel) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(level)\")")
            }
        }

        loadCallerSettings(into: &config, reader: &reader)
        loadOperationsSettings(into: &config, reader: &reader)
        loadLogSettings(into: &config, reader: &reader)

        if !reader.problems.isEmpty { throw ConfigError(problems: reader.problems) }
        return config
    }

    /// SPEC §8: TLS files come in pairs, mTLS needs TLS, and plaintext is for loopback
    /// only unless asked for by name. The files themselves are read when the server
    /// starts (`ServerTLS`), where a bad one is a configuration error too.
    private static func loadTransportSecurity(into config: inout ServiceConfig, from reader: inout SettingsReader,
                                              listenValid: Bool) {
        let cert = reader.string(Key.tlsCert), key = reader.string(Key.tlsKey), clientCA = reader.string(Key.tlsClientCA)
        let handshakeTimeout = reader.int(Key.tlsHandshakeTimeout, default: 10, in: 1...300)
        let reloadCheck = reader.int(Key.tlsReloadCheck, default: 5, in: 1...3600)
        switch (cert, key) {
        case let (cert?, key?):
            var tls = TLSSettings(certificatePath: cert, keyPath: key, clientCAPath: clientCA)
            tls.handshakeTimeout = .seconds(handshakeTimeout)
            tls.reloadCheckInterval = .seconds(reloadCheck)
            config.tls = tls
        case (_?, nil):
            reader.problem("\(Key.tlsKey) is required with \(Key.tlsCert) (the certificate's private key, PEM)")
        case (nil, _?):
            reader.problem("\(Key.tlsCert) is required with \(Key.tlsKey) (the server certificate, PEM)")
        case (nil, nil):
            if clientCA != nil {
                reader.problem("\(Key.tlsClientCA) needs \(Key.tlsCert) and \(Key.tlsKey): client certificates are part of TLS")
            }
        }
        switch reader.string(Key.allowPlaintext)?.lowercased() {
        case nil, "0", "false", "no": config.allowPlaintext = false
        case "1", "true", "yes": config.allowPlaintext = true
        case let other?: reader.problem("\(Key.allowPlaintext) must be 1 or 0 (got \"\(other)\")")
        }
        if listenValid, config.tls == nil, !config.allowPlaintext, !isLoopback(config.listenHost) {
            reader.problem("\(Key.listen) \(config.listenHost) is not a loopback address, and plaintext is only served on"
                + " loopback: set \(Key.tlsCert) and \(Key.tlsKey), or \(Key.allowPlaintext)=1 to serve plaintext anyway")
        }
    }

    /// `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped 127.x. A wildcard (`0.0.0.0`, `::`)
    /// or any other name is not: it may be reached from elsewhere.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = try? SocketAddress(ipAddress: host, port: 0), let text = address.ipAddress else { return false }
        switch address {
        case .v4: return text.hasPrefix("127.")
        case .v6: return text == "::1" || text.lowercased().hasPrefix("::ffff:127.")
        default: return false
        }
    }

    /// `us-east-1_abc` → `us-east-1`; a bare id without a region part → "" (use the default);
    /// nil when the id is not of a pool id's form at all.
    static func regionOfPool(_ poolID: String) -> String? {
        let allowed = poolID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard allowed, !poolID.isEmpty, poolID.count <= 55 else { return nil }
        guard let underscore = poolID.firstIndex(of: "_") else { return "" }
        let region = String(poolID[..<underscore])
        let rest = poolID[poolID.index(after: underscore)...]
        guard isRegion(region), !rest.isEmpty, !rest.contains("_") else { return nil }
        return region
    }

    static func isRegion(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
    }

    static func parseHostPort(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":") else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    private static func trimmedSlash(_ s: String) -> String {
        var s = s
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// Reads raw settings, recording a problem for each bad one instead of stopping.
struct SettingsReader {
    let settings: [String: String]
    var problems: [String] = []

    /// A set, non-blank value, trimmed.
    func string(_ key: String) -> String? {
        guard let raw = settings[key] else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func list(_ key: String) -> [String] {
        (string(key) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    mutating func int(_ key: String, default value: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = string(key) else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            problem("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\")")
            return value
        }
        return parsed
    }

    mutating func problem(_ text: String) { problems.append(text) }
}
