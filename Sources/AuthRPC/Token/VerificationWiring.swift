import CurlHTTP
public import Logging
import NIOCore
public import ServiceLifecycle
public import TokenVerification

/// The verification core built from the service's configuration, with its JWKS
/// documents fetched through the shared libcurl transport.

extension JWKSRegistry {
    public convenience init(config: ServiceConfig, transport: any HTTPTransport, clock: VerifierClock = .system,
                            logger: Logger = Logger(label: "authrpc.jwks")) {
        self.init(pools: config.pools.map { TrustedPool(issuer: $0.issuer, jwksURL: $0.jwksURL) },
                  fetcher: HTTPJWKSFetcher(transport: transport),
                  minRefresh: config.jwksMinRefresh, refresh: config.jwksRefresh, clock: clock, logger: logger)
    }
}

/// So the server can run the key refreshes in its `ServiceGroup` next to the listener:
/// first fetch, background refresh until graceful shutdown (or cancellation), then stop.
extension JWKSRegistry: Service {
    public func run() async throws {
        await start()
        try? await gracefulShutdown()
        await shutdown()
    }
}

extension TokenVerifier {
    public convenience init(config: ServiceConfig, keys: JWKSRegistry, clock: VerifierClock = .system) {
        var settings = Settings(clientIDs: config.clientIDs)
        settings.maxTokenBytes = config.maxTokenBytes
        settings.clockLeewaySeconds = config.clockLeewaySeconds
        settings.cacheEntries = config.verifyCacheEntries
        settings.cacheBytes = config.verifyCacheBytes
        // One cache share per event loop: only the loops verify (`reply(to:…)`).
        settings.cacheThreads = config.threads > 0 ? config.threads : System.coreCount
        self.init(settings: settings, keys: keys, clock: clock)
    }
}

/// JWKS documents over HTTP through the process's one libcurl transport (SPEC §6: 2 s to
/// connect, 3 s in all, 64 KiB at most).
struct HTTPJWKSFetcher: JWKSFetcher {
    let transport: any HTTPTransport

    func fetchJWKS(url: String, timeout: Duration, maxBytes: Int) async -> Result<[UInt8], JWKSFetchFailure> {
        let request = HTTPRequest(method: .get, url: url, headers: [("Accept", "application/json")],
                                  connectTimeout: .seconds(2), timeout: timeout, maxResponseBytes: maxBytes)
        do throws(HTTPError) {
            let response = try await transport.send(request)
            guard response.status == 200 else { return .failure(JWKSFetchFailure("HTTP status \(response.status)")) }
            return .success(response.body)
        } catch {
            return .failure(JWKSFetchFailure(Self.describe(error, timeout: timeout)))
        }
    }

    private static func describe(_ error: HTTPError, timeout: Duration) -> String {
        switch error {
        case .couldNotConnect(let why): "could not connect: \(why)"
        case .timedOut: "timed out after \(timeout.components.seconds) s"
        case .bodyTooLarge: "body larger than 64 KiB"
        case .transport(let why): "transport error: \(why)"
        }
    }
}
