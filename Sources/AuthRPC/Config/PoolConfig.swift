/// One Cognito user pool the service trusts tokens from (SPEC §6: several pools may be trusted).
public struct PoolConfig: Sendable, Equatable {
    public var poolID: String
    public var region: String
    /// Exact `iss` a token from this pool carries.
    public var issuer: String
    /// Where the pool's signing keys are published; never taken from a token.
    public var jwksURL: String

    public init(poolID: String, region: String, issuer: String, jwksURL: String) {
        self.poolID = poolID; self.region = region; self.issuer = issuer; self.jwksURL = jwksURL
    }
}
