import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One RSA public key from a JWKS, turned into an OpenSSL key object once (SPEC §6:
/// "keys parsed once into OpenSSL key objects") and shared by every thread afterwards.
///
/// Owns two C objects, each created in `init` and freed exactly once in `deinit`:
/// the `EVP_PKEY` and a *prototype* `EVP_MD_CTX` already initialised for RS256
/// verification with that key. `verify` copies the prototype into a per-thread scratch
/// context (`EVP_MD_CTX_copy_ex` only reads the prototype, which OpenSSL allows from many
/// threads at once) instead of calling `EVP_DigestVerifyInit` per token: in OpenSSL 3.0
/// the init fetches the algorithm from the provider store under a process-wide lock and
/// costs ~3 µs, a sixth of the RSA-2048 verify itself (docs/BENCHMARKS.md).
final class RSAPublicKey: @unchecked Sendable {
    // @unchecked: both pointers are set once in init, never reassigned, only read
    // through OpenSSL calls that take them as const (or copy from them), and freed in deinit.
    private let pkey: OpaquePointer
    private let prototype: OpaquePointer
    /// Modulus size; kept for diagnostics and tests.
    let bits: Int

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
        guard let md = EVP_MD_CTX_new() else { EVP_PKEY_free(pkey); throw .openSSL("EVP_MD_CTX_new failed") }
        guard EVP_DigestVerifyInit_ex(md, nil, "SHA256", nil, nil, pkey, nil) == 1 else {
            EVP_MD_CTX_free(md); EVP_PKEY_free(pkey)
            throw .openSSL("EVP_DigestVerifyInit_ex failed: \(openSSLErrorString())")
        }
        self.pkey = pkey
        self.prototype = md
        self.bits = Int(EVP_PKEY_get_bits(pkey))
    }

    deinit {
        EVP_MD_CTX_free(prototype)
        EVP_PKEY_free(pkey)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (RS256, RFC 7518 §3.3). SPEC §6 step 5.
    func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard !signature.isEmpty, let ctx = ThreadScratch.digestContext() else { return false }
        guard EVP_MD_CTX_copy_ex(ctx, prototype) == 1 else {
            ERR_clear_error()
            return false
        }
        // The copy is used once: let Final work on it in place instead of on yet another
        // duplicate (OpenSSL 3.0 duplicates the context in Final unless told it is final).
        EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE)
        let sig = signature.bindMemory(to: UInt8.self)
        let msg = message.bindMemory(to: UInt8.self)
        let ok = EVP_DigestVerify(ctx, sig.baseAddress, sig.count, msg.baseAddress, msg.count) == 1
        if !ok { ERR_clear_error() }  // a bad signature leaves an error queued on this thread
        return ok
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
func openSSLErrorString() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "unknown error" }
    var buf = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buf, buf.count)
    let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// One `EVP_MD_CTX` per thread, reused for every verification on that thread and freed
/// by the pthread destructor when the thread exits. Event-loop threads live as long as
/// the process, so this is one allocation per thread, ever.
enum ThreadScratch {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            if let raw { EVP_MD_CTX_free(OpaquePointer(raw)) }
        }
        precondition(rc == 0, "pthread_key_create failed")
        return key
    }()

    static func digestContext() -> OpaquePointer? {
        let key = Self.key
        if let raw = pthread_getspecific(key) { return OpaquePointer(raw) }
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        pthread_setspecific(key, UnsafeRawPointer(ctx))
        return ctx
    }
}
