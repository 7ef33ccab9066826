import COpenSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One RSA public key from a JWKS, turned into an OpenSSL key object once (SPEC §6:
/// "keys parsed once into OpenSSL key objects") and shared by every thread afterwards.
///
/// Owns one C object, the `EVP_PKEY`, created in `init` and freed once in `deinit`.
/// Verification runs in the calling thread's `RS256ThreadContext`, which keeps an
/// initialised verify context per key (found by `serial`) so no token pays for
/// `EVP_DigestVerifyInit` (~3 µs in OpenSSL 3.0, a provider lookup under a process-wide
/// lock) or for duplicating a prototype context (docs/BENCHMARKS.md).
final class RSAPublicKey: @unchecked Sendable {
    // @unchecked: the pointer is set once in init, never reassigned, only passed to OpenSSL
    // calls that read the key (EVP_PKEY_CTX_new_from_pkey takes its own reference), and
    // freed in deinit.
    private let pkey: OpaquePointer
    /// Modulus size; kept for diagnostics and tests.
    let bits: Int
    /// The only signature length RS256 accepts: the modulus size in bytes (RFC 8017 §8.2.2
    /// step 1). A shorter one could be the same number without its leading zeros, a second
    /// spelling of one token.
    let signatureCount: Int
    /// Names this key in per-thread contexts; unique for the life of the process.
    let serial: UInt64

    private static let serials = Atomic<UInt64>(0)

    enum KeyError: Error, Equatable {
        case modulusTooSmall(bits: Int)
        case modulusTooLarge(bits: Int)
        case badExponent
        case openSSL(String)
    }

    /// Smallest modulus accepted (NIST SP 800-131A); Cognito uses 2048.
    static let minimumBits = 2048
    /// Largest modulus accepted: bounds the cost of one verification.
    static let maximumBits = 8192

    /// Builds the key from big-endian `n` and `e` (a JWK's decoded `n`/`e`).
    init(modulus: [UInt8], exponent: [UInt8]) throws(KeyError) {
        let n = modulus.drop { $0 == 0 }
        let bits = n.isEmpty ? 0 : (n.count - 1) * 8 + (8 - n.first!.leadingZeroBitCount)
        guard bits >= Self.minimumBits else { throw .modulusTooSmall(bits: bits) }
        guard bits <= Self.maximumBits else { throw .modulusTooLarge(bits: bits) }
        let e = exponent.drop { $0 == 0 }
        // e must be odd, > 1 and small enough to be a sane public exponent (≤ 64 bits).
        guard let last = e.last, last & 1 == 1, e.count <= 8, !(e.count == 1 && last == 1) else { throw .badExponent }

        let pkey = try Self.makePKey(n: Array(n), e: Array(e))
        self.pkey = pkey
        self.bits = Int(EVP_PKEY_get_bits(pkey))
        self.signatureCount = Int(EVP_PKEY_get_size(pkey))
        self.serial = Self.serials.add(1, ordering: .relaxed).newValue
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (RS256, RFC 7518 §3.3). SPEC §6 step 5.
    func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == signatureCount, let context = RS256ThreadContext.current() else { return false }
        return context.verify(pkey: pkey, serial: serial, signature: signature, message: message)
    }

    func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { s in message.withUnsafeBytes { m in verify(signature: s, message: m) } }
    }

    private static func makePKey(n: [UInt8], e: [UInt8]) throws(KeyError) -> OpaquePointer {
        guard let bnN = BN_bin2bn(n, Int32(n.count), nil) else { throw .openSSL("BN_bin2bn failed") }
        defer { BN_free(bnN) }
        guard let bnE = BN_bin2bn(e, Int32(e.count), nil) else { throw .openSSL("BN_bin2bn failed") }
        defer { BN_free(bnE) }
        guard let builder = OSSL_PARAM_BLD_new() else { throw .openSSL("OSSL_PARAM_BLD_new failed") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard authrpc_param_bld_push_rsa_public(builder, bnN, bnE) == 1,
              let params = OSSL_PARAM_BLD_to_param(builder)
        else { throw .openSSL("OSSL_PARAM_BLD failed") }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { throw .openSSL("EVP_PKEY_CTX_new_from_name failed") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(ctx) == 1,
              EVP_PKEY_fromdata(ctx, &pkey, authrpc_evp_pkey_public_key_selection(), params) == 1,
              let pkey
        else { throw .openSSL("EVP_PKEY_fromdata failed: \(openSSLErrorString())") }
        return pkey
    }
}

/// The last OpenSSL error on this thread as text, and the queue cleared. OpenSSL's
/// messages name functions and reasons, never key material.
public func openSSLErrorString() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "unknown error" }
    var buf = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buf, buf.count)
    let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
