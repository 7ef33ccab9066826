import Foundation
import FuzzSupport

/// The seed corpus of Fuzz/corpus/token, made with the fixed fuzz keys so it verifies in
/// every run: `FUZZ_TOKEN_WRITE_SEEDS=DIR fuzz-token` (run by `scripts/fuzz seeds`).
/// Cognito-shaped id and access tokens that pass, and one token for most ways to fail.
enum Seeds {
    static func idClaims(iss: String = Pools.issuerA, exp: Int64 = Pools.now + 3600, aud: String = Pools.clientIDs[0],
                         extra: String = "") -> String {
        #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001","email_verified":true,"cognito:groups":["admins","Readers"],"iss":"\#(iss)","cognito:username":"alice","origin_jti":"9a8b7c6d-origin","aud":"\#(aud)","event_id":"e-1","token_use":"id","auth_time":\#(Pools.now - 10),"exp":\#(exp),"iat":\#(Pools.now - 10),"jti":"1234-id-jti","email":"alice@example.com"\#(extra)}"#
    }

    static func accessClaims(iss: String = Pools.issuerA, exp: Int64 = Pools.now + 3600, clientID: String = Pools.clientIDs[0],
                             extra: String = "") -> String {
        #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001","cognito:groups":["admins"],"iss":"\#(iss)","client_id":"\#(clientID)","origin_jti":"9a8b7c6d-origin","event_id":"e-1","token_use":"access","scope":"\#(Pools.scope) openid","auth_time":\#(Pools.now - 10),"exp":\#(exp),"iat":\#(Pools.now - 10),"jti":"5678-access-jti","username":"alice"\#(extra)}"#
    }

    static func header(_ key: FuzzKey, extra: String = "") -> String { #"{"kid":"\#(key.kid)","alg":"RS256"\#(extra)}"# }

    static func token(_ key: FuzzKey, header: String? = nil, _ payload: String) -> String {
        let input = base64URL(Array((header ?? Self.header(key)).utf8)) + "." + base64URL(Array(payload.utf8))
        return input + "." + base64URL(key.sign(Array(input.utf8)))
    }

    static let raw: [(String, String)] = [
        ("id-a", token(.first, idClaims())),
        ("access-a", token(.first, accessClaims())),
        ("id-b", token(.second, idClaims(iss: Pools.issuerB, aud: Pools.clientIDs[1]))),
        ("access-b", token(.second, accessClaims(iss: Pools.issuerB))),
        ("id-aud-array", token(.first, idClaims(extra: #","aud2":1"#).replacingOccurrences(
            of: #""aud":"\#(Pools.clientIDs[0])""#, with: #""aud":["other","\#(Pools.clientIDs[1])"]"#))),
        ("id-escapes", token(.first, idClaims(extra: #","name":"\u00e9\"\\\/\b\f\n\r\t","nested":{"a":[1,2.5e3,-0,true,false,null]}"#)
            .replacingOccurrences(of: #""sub":"5f1e0c1a-0000-4000-8000-000000000001""#, with: #""sub":"s\u0075b-\ud83d\ude00""#))),
        ("id-email-verified-string", token(.first, idClaims().replacingOccurrences(of: #""email_verified":true"#, with: #""email_verified":"true""#))),
        ("access-nbf", token(.first, accessClaims(extra: #","nbf":\#(Pools.now - 5)"#))),
        ("expired", token(.first, idClaims(exp: Pools.now - 1))),
        ("not-yet-valid", token(.first, accessClaims(extra: #","nbf":\#(Pools.now + 600)"#))),
        ("no-exp", token(.first, #"{"iss":"\#(Pools.issuerA)","token_use":"id","aud":"\#(Pools.clientIDs[0])"}"#)),
        ("float-exp", token(.first, idClaims(exp: 0).replacingOccurrences(of: #""exp":0"#, with: #""exp":1.7600036e9"#))),
        ("wrong-issuer", token(.first, idClaims(iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))),
        ("wrong-audience", token(.first, idClaims(aud: "someotherclient"))),
        ("wrong-token-use", token(.first, idClaims().replacingOccurrences(of: #""token_use":"id""#, with: #""token_use":"refresh""#))),
        ("key-of-other-pool", token(.second, idClaims())),
        ("unknown-kid", token(.first, header: #"{"kid":"nope","alg":"RS256"}"#, idClaims())),
        ("no-kid", token(.first, header: #"{"alg":"RS256"}"#, idClaims())),
        ("crit", token(.first, header: header(.first, extra: #","crit":["b64"],"b64":false"#), idClaims())),
        ("jku-jwk-ignored", token(.first, header: header(.first, extra: #","jku":"https://evil.example/jwks","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},"typ":"JWT""#), accessClaims())),
        ("alg-none", base64URL(Array(#"{"kid":"fuzz-key-1","alg":"none"}"#.utf8)) + "." + base64URL(Array(idClaims().utf8)) + "."),
        ("alg-hs256", base64URL(Array(#"{"kid":"fuzz-key-1","alg":"HS256"}"#.utf8)) + "." + base64URL(Array(idClaims().utf8)) + ".c2lnbmF0dXJl"),
        ("duplicate-claim", token(.first, idClaims(extra: #","iss":"\#(Pools.issuerB)""#))),
        ("bad-signature", String(token(.first, idClaims()).dropLast(4)) + "AAAA"),
        ("four-parts", token(.first, idClaims()) + ".AAAA"),
    ]

    /// Signed mode: 0x00, flags, then header 0x00 payload, or the payload alone.
    static let signed: [(String, UInt8, String?, String)] = [
        ("signed-id", 0, nil, idClaims()),
        ("signed-id-as-id-cached", 1 | 32, nil, idClaims()),
        ("signed-access-scope-answer", 2 | 4 | 64, nil, accessClaims()),
        ("signed-access-cached-answer", 2 | 32 | 64, nil, accessClaims()),
        ("signed-b-key", 8, header(.second), idClaims(iss: Pools.issuerB)),
        ("signed-corrupt", 16, nil, accessClaims()),
        ("signed-header-extras", 0, header(.first, extra: #","typ":"JWT","x5u":"https://evil.example/x""#), accessClaims()),
        ("signed-groups", 0, nil, idClaims().replacingOccurrences(of: #"["admins","Readers"]"#, with: #"["staff","admins","a\u0000b","\u00fcber",""]"#)),
        ("signed-nul-sub", 64, nil, idClaims().replacingOccurrences(of: "5f1e0c1a-0000-4000-8000-000000000001", with: #"abc\u0000def"#)),
        ("signed-minimal", 0, nil, #"{"iss":"\#(Pools.issuerA)","token_use":"access","client_id":"secondclient","exp":\#(Pools.now + 1)}"#),
    ]

    static func write(to directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, token) in raw {
            FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(token.utf8))
            // So whoever regenerates the corpus sees that the passing seeds still pass.
            print("\(name): \(summary(Fixture.shared.plain.verify(token)).prefix(60))")
        }
        for (name, flags, header, payload) in signed {
            var bytes: [UInt8] = [0, flags]
            if let header { bytes += Array(header.utf8) + [0] }
            bytes += Array(payload.utf8)
            FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes))
        }
    }
}
