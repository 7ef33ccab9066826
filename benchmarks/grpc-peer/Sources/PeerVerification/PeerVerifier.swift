import Foundation
public import TokenVerification

/// The verification core of authrpc (its `TokenVerification` target, unchanged), set up
/// from the environment authrpc itself reads (`authrpc bench mint` writes it as
/// `server.env`): `COGNITO_REGION`, `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`,
/// `COGNITO_JWKS_URL` (a `file://` URL here; http(s) is not fetched by the peers),
/// `AUTHRPC_VERIFY_CACHE_ENTRIES` (default 100000, 0 turns the verified-token cache off,
/// as in authrpc).
public enum PeerVerifier {
    public struct ConfigError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> TokenVerifier
    {
        var missing: [String] = []
        func value(_ key: String) -> String {
            guard let v = environment[key], !v.isEmpty else { missing.append(key); return "" }
            return v
        }
        let region = value("COGNITO_REGION"), pool = value("COGNITO_USER_POOL_ID")
        let clientIDs = value("COGNITO_CLIENT_ID"), jwksURL = value("COGNITO_JWKS_URL")
        guard missing.isEmpty else { throw ConfigError(description: "missing settings: \(missing.joined(separator: ", "))") }
        let cacheEntries = environment["AUTHRPC_VERIFY_CACHE_ENTRIES"].flatMap(Int.init) ?? 100_000

        let issuer = environment["COGNITO_ISSUER"] ?? "https://cognito-idp.\(region).amazonaws.com/\(pool)"
        let registry = JWKSRegistry(
            pools: [TrustedPool(issuer: issuer, jwksURL: jwksURL)], fetcher: FileOnlyFetcher(),
            minRefresh: .seconds(10), refresh: .seconds(3600))
        await registry.start()
        guard registry.hasKeysForEveryPool else {
            throw ConfigError(description: "JWKS did not load: \(registry.poolStatuses())")
        }
        var settings = TokenVerifier.Settings(clientIDs: clientIDs.split(separator: ",").map(String.init))
        settings.cacheEntries = cacheEntries
        return TokenVerifier(settings: settings, keys: registry)
    }
}

/// The peers read their JWKS from a file (`file://`, handled inside the core); they have
/// no HTTP client for an http(s) JWKS URL.
private struct FileOnlyFetcher: JWKSFetcher {
    func fetchJWKS(url: String, timeout: Duration, maxBytes: Int) async -> Result<[UInt8], JWKSFetchFailure> {
        .failure(JWKSFetchFailure("the benchmark peers read file:// JWKS only"))
    }
}

extension TokenVerifier {
    /// Verifies, waiting for a JWKS refetch only when the kid is unknown. `prepare` makes
    /// the answer kept with a newly verified token so repeats send it as is, as authrpc does.
    public func verifyForPeer(_ token: String, tokenUse: TokenKind?, requiredScopes: [String] = [],
                              prepare: VerifiedToken.Preparation?) async -> Outcome {
        let outcome = verify(token, tokenUse: tokenUse, requiredScopes: requiredScopes, prepare: prepare)
        guard case .awaitingKeys(let fetch) = outcome else { return outcome }
        return await verify(token, after: fetch, tokenUse: tokenUse, requiredScopes: requiredScopes, prepare: prepare)
    }
}
