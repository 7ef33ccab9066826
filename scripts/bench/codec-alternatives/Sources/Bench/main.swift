import ExtrasBase64
import Foundation

/// What TokenClaims.swift needs of the rest of the verification core.
enum TokenKind { case id, access }

/// The payload's claims as a Codable type, for Foundation's JSONDecoder.
struct CodableClaims: Decodable {
    var sub: String?; var iss: String?; var client_id: String?; var token_use: String?; var scope: String?
    var auth_time: Int64?; var exp: Int64?; var iat: Int64?; var jti: String?; var username: String?
    var origin_jti: String?; var event_id: String?
    var groups: [String]?
    enum CodingKeys: String, CodingKey {
        case sub, iss, client_id, token_use, scope, auth_time, exp, iat, jti, username, origin_jti, event_id
        case groups = "cognito:groups"
    }
}

func measure(_ name: String, _ n: Int, _ body: () -> Int) -> Double {
    var best = 0.0
    for _ in 0..<5 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var sink = 0
        for _ in 0..<n { sink &+= body() }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        best = max(best, Double(n) / dt)
        if sink == 42 { print("") }
    }
    print("\(name): \(Int(best)) /s")
    return best
}

let payload = #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001","cognito:groups":["admins"],"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA","client_id":"4example5client6id7","origin_jti":"9a8b7c6d-origin","event_id":"e-1","token_use":"access","scope":"aws.cognito.signin.user.admin","auth_time":1759999990,"exp":1760003600,"iat":1759999990,"jti":"5678-access-jti","username":"alice"}"#
let payloadBytes = Array(payload.utf8)
// A token's signature part: 256 bytes, base64url without padding (342 characters).
var rng = SystemRandomNumberGenerator()
let signature = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
let sigText = Base64.encodeToString(bytes: signature, options: [.base64UrlAlphabet, .omitPaddingCharacter])
let payloadText = Base64.encodeToString(bytes: payloadBytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
let sigBytes = Array(sigText.utf8), payloadTextBytes = Array(payloadText.utf8)
precondition(sigBytes.withUnsafeBytes { Base64URL.decode($0) } == signature)

print("== base64url decode (signature 342 chars, payload \(payloadTextBytes.count) chars)")
let oursSig = measure("ours, signature", 200_000) { sigBytes.withUnsafeBytes { Base64URL.decode($0)!.count } }
let extrasSig = measure("swift-extras-base64, signature", 200_000) {
    try! Base64.decode(bytes: sigBytes, options: [.base64UrlAlphabet, .omitPaddingCharacter]).count
}
let oursPay = measure("ours, payload", 200_000) { payloadTextBytes.withUnsafeBytes { Base64URL.decode($0)!.count } }
let extrasPay = measure("swift-extras-base64, payload", 200_000) {
    try! Base64.decode(bytes: payloadTextBytes, options: [.base64UrlAlphabet, .omitPaddingCharacter]).count
}
print(String(format: "ratio ours / extras: signature %.2f, payload %.2f", oursSig / extrasSig, oursPay / extrasPay))

print("== token payload JSON (\(payloadBytes.count) bytes)")
let expected = TokenClaims.Expected(issuers: ["https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA"],
                                    clientIDs: ["4example5client6id7"])
let ours = measure("ours (TokenClaims, one pass)", 200_000) {
    payloadBytes.withUnsafeBytes { raw in (try? TokenClaims(json: raw, expected: expected))?.expiresAt.map { Int($0) } ?? 0 }
}
let decoder = JSONDecoder()
let data = Data(payloadBytes)
let foundation = measure("Foundation JSONDecoder (Codable struct)", 100_000) {
    Int((try? decoder.decode(CodableClaims.self, from: data))?.exp ?? 0)
}
print(String(format: "ratio ours / JSONDecoder: %.1f", ours / foundation))
// Non-canonical spelling: "AB" has non-zero trailing bits ("AA" is the canonical form of [0]).
let lenient = try? Base64.decode(bytes: Array("AB".utf8), options: [.base64UrlAlphabet, .omitPaddingCharacter])
let strict = Array("AB".utf8).withUnsafeBytes { Base64URL.decode($0) }
print("\"AB\": swift-extras-base64 \(lenient.map { "\($0)" } ?? "rejects"), ours \(strict.map { "\($0)" } ?? "rejects")")
