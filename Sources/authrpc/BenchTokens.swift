import TokenMinting
import TokenVerification
import AuthRPC
import Foundation

/// Cognito-shaped access tokens (~1 KB) for the benchmarks, signed by a key made
/// on the spot. The service never signs anything; this is the load side.
struct BenchTokens {
    static let poolID = "us-east-1_BenchPool1"
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/\(poolID)"
    static let clientID = "benchclient1234567890"
    /// A fresh kid shaped like Cognito's (44 characters of base64) for every key, so a
    /// server that trusted an earlier run's key asks for the new one instead of
    /// checking new tokens against the old key.
    private static func makeKid() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<43).map { _ in alphabet.randomElement()! }) + "="
    }

    let signer: DevTokenSigner
    /// Same kid, different key: its tokens fail with BadSignature.
    private let impostor: DevTokenSigner
    private let now = Int64(Date().timeIntervalSince1970)

    init() throws {
        let kid = Self.makeKid()
        signer = try DevTokenSigner(kid: kid)
        impostor = try DevTokenSigner(kid: kid)
    }

    /// The JWKS a server must be given (`COGNITO_JWKS_URL=file://...`) to trust these tokens.
    var jwksJSON: String { DevTokenSigner.jwksJSON([signer]) }

    /// The environment a server needs to accept these tokens, with the JWKS at `jwksPath`.
    static func serverEnvironment(jwksPath: String) -> [String: String] {
        ["COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": poolID, "COGNITO_CLIENT_ID": clientID,
         "COGNITO_JWKS_URL": "file://" + jwksPath]
    }

    func valid(_ i: Int) -> String { signer.token(payloadJSON: payload(i, exp: now + 3600)) }
    func expired(_ i: Int) -> String { signer.token(payloadJSON: payload(i, exp: now - 60)) }
    func badSignature(_ i: Int) -> String { impostor.token(payloadJSON: payload(i, exp: now + 3600)) }

    /// Each token differs (sub, jti, origin_jti, username), so none is a repeat.
    private func payload(_ i: Int, exp: Int64) -> String {
        let n = String(format: "%012d", i)
        return #"{"sub":"5f1e0c1a-0000-4000-8000-\#(n)","cognito:groups":["admins","readers"],"iss":"\#(Self.issuer)","version":2,"client_id":"\#(Self.clientID)","origin_jti":"9a8b7c6d-1234-4e5f-8a9b-\#(n)","event_id":"e1f2a3b4-5c6d-4e7f-8091-a2b3c4d5e6f7","token_use":"access","scope":"aws.cognito.signin.user.admin openid profile","auth_time":\#(now - 60),"exp":\#(exp),"iat":\#(now - 60),"jti":"0d1e2f3a-4b5c-4d6e-8f70-\#(n)","username":"bench-user-\#(i)"}"#
    }
}
