import TokenMinting
import TokenVerification

/// Keys made once per test process (RSA key generation costs ~100 ms each), and the pools,
/// app clients and claims the tests' tokens are made of. Shared by the verification core's
/// tests and the service's.
public enum TestKeys {
    public static let poolID = "us-east-1_TestPoolA"
    public static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA"
    /// Where Cognito publishes the test pool's keys.
    public static let jwksURL = issuer + "/.well-known/jwks.json"
    public static let otherIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool"
    public static let clientID = "4example5client6id7"
    /// A second accepted app client (configured beside `clientID`).
    public static let secondClientID = "secondclient"
    public static let otherClientID = "someotherclient"

    public static let idKey = try! DevTokenSigner(kid: "id-key-1")
    public static let accessKey = try! DevTokenSigner(kid: "access-key-1")
    public static let rotatedKey = try! DevTokenSigner(kid: "rotated-key-2")
    public static let strangerKey = try! DevTokenSigner(kid: "stranger")
    public static let otherPoolKey = try! DevTokenSigner(kid: "other-pool-key")

    /// Unix time the tests pretend it is.
    public static let now: Int64 = 1_760_000_000

    /// An id token's claims shaped like Cognito's (and moto's).
    public static func idClaims(iss: String = issuer, exp: Int64 = now + 3600, iat: Int64 = now - 10,
                                aud: String = clientID, groups: [String]? = ["admins", "Readers"],
                                extra: String = "") -> String {
        #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001","email_verified":true\#(groupsMember(groups)),"iss":"\#(iss)","cognito:username":"alice","origin_jti":"9a8b7c6d-origin","aud":"\#(aud)","event_id":"e-1","token_use":"id","auth_time":\#(iat),"exp":\#(exp),"iat":\#(iat),"jti":"1234-id-jti","email":"alice@example.com"\#(extra)}"#
    }

    /// What a token with the claims `idClaims()` makes (every argument left as it is)
    /// verifies to; `payloadJSON` is that payload.
    public static func idVerifiedClaims(payloadJSON: String) -> VerifiedClaims {
        var expected = VerifiedClaims()
        expected.subject = "5f1e0c1a-0000-4000-8000-000000000001"
        expected.username = "alice"
        expected.email = "alice@example.com"
        expected.emailVerified = true
        expected.groups = ["admins", "Readers"]
        expected.tokenUse = .id
        expected.clientID = clientID
        expected.scopes = []
        expected.issuer = issuer
        expected.issuedAt = now - 10
        expected.expiresAt = now + 3600
        expected.authTime = now - 10
        expected.jti = "1234-id-jti"
        expected.originJTI = "9a8b7c6d-origin"
        expected.payloadJSON = payloadJSON
        return expected
    }

    /// An access token's claims shaped like Cognito's.
    public static func accessClaims(iss: String = issuer, exp: Int64 = now + 3600, iat: Int64 = now - 10,
                                    clientID: String = clientID, scope: String = "aws.cognito.signin.user.admin",
                                    groups: [String]? = ["admins"], extra: String = "") -> String {
        #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001"\#(groupsMember(groups)),"iss":"\#(iss)","client_id":"\#(clientID)","origin_jti":"9a8b7c6d-origin","event_id":"e-1","token_use":"access","scope":"\#(scope)","auth_time":\#(iat),"exp":\#(exp),"iat":\#(iat),"jti":"5678-access-jti","username":"alice"\#(extra)}"#
    }

    /// `,"cognito:groups":[…]` with the names as given (already JSON-escaped), or nothing.
    private static func groupsMember(_ groups: [String]?) -> String {
        groups.map { #","cognito:groups":[\#($0.map { "\"\($0)\"" }.joined(separator: ","))]"# } ?? ""
    }
}
