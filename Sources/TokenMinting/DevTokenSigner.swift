import COpenSSL
import TokenVerification

/// Mints RS256 tokens and the JWKS that verifies them, for tests and `authrpc bench`.
/// The service itself never signs anything; this exists so tests and benchmarks exercise
/// the real verification path with real keys without an OpenSSL dependency of their own.
///
/// Owns one `EVP_PKEY` (private key), created in `init` and freed once in `deinit`.
public final class DevTokenSigner: @unchecked Sendable {
    // @unchecked: the key is set once and only read (signing uses a fresh context per call).
    private let pkey: OpaquePointer
    public let kid: String

    public struct SignerError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A new RSA key of `bits` (2048 unless a test wants a weak one).
    public init(kid: String, bits: Int = 2048) throws(SignerError) {
        guard let pkey = authrpc_rsa_generate(UInt32(bits)) else {
            throw SignerError(description: "RSA key generation failed: \(openSSLErrorString())")
        }
        self.pkey = pkey
        self.kid = kid
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The public key as one JWK object (JSON text), Cognito's shape.
    public func jwkJSON(kid: String? = nil, extra: String = "") -> String {
        let (n, e) = publicNumbers()
        return #"{"alg":"RS256","e":"\#(Base64URL.encode(e))","kid":"\#(kid ?? self.kid)","kty":"RSA","n":"\#(Base64URL.encode(n))","use":"sig"\#(extra)}"#
    }

    /// A JWKS document holding `signers`' public keys.
    public static func jwksJSON(_ signers: [DevTokenSigner]) -> String {
        #"{"keys":[\#(signers.map { $0.jwkJSON() }.joined(separator: ","))]}"#
    }

    /// The modulus `n` and exponent `e`, big-endian.
    public func publicNumbers() -> (n: [UInt8], e: [UInt8]) {
        (bigNumber(OSSL_PKEY_PARAM_RSA_N), bigNumber(OSSL_PKEY_PARAM_RSA_E))
    }

    private func bigNumber(_ name: String) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else { return [] }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(bn)) + 7) / 8)
        BN_bn2bin(bn, &out)
        return out
    }

    /// `base64url(header).base64url(payload).base64url(RS256 signature)`; the header and
    /// payload are used as given, so tests can shape them freely.
    public func sign(headerJSON: String, payloadJSON: String) -> String {
        let input = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(Array(payloadJSON.utf8))
        return input + "." + Base64URL.encode(signature(over: Array(input.utf8)))
    }

    /// A token with the usual header `{"kid":…,"alg":"RS256"}` (Cognito's order).
    public func token(payloadJSON: String, kid: String? = nil) -> String {
        sign(headerJSON: #"{"kid":"\#(kid ?? self.kid)","alg":"RS256"}"#, payloadJSON: payloadJSON)
    }

    public func signature(over message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { return [] }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1 else { return [] }
        var length = 0
        guard EVP_DigestSign(ctx, nil, &length, message, message.count) == 1 else { return [] }
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &out, &length, message, message.count) == 1 else { return [] }
        return Array(out.prefix(length))
    }
}

/// Exposed for tests and benchmarks that build tokens by hand.
public enum JWTEncoding {
    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String { Base64URL.encode(bytes) }
    public static func base64URL(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

    /// A token MACed with HS256 keyed by `secret`, as an attacker makes one: the classic
    /// key confusion keys it with an RS256 public key. The verifier must refuse it.
    public static func hs256Token(headerJSON: String, payloadJSON: String, secret: [UInt8]) -> String {
        let input = base64URL(headerJSON) + "." + base64URL(payloadJSON)
        var mac = [UInt8](repeating: 0, count: 32)
        var macLength: UInt32 = 0
        let message = Array(input.utf8)
        _ = HMAC(EVP_sha256(), secret, Int32(secret.count), message, message.count, &mac, &macLength)
        return input + "." + base64URL(mac.prefix(Int(macLength)))
    }
}
