import COpenSSL

/// The OpenSSL objects one thread needs to check RS256 signatures, made once per thread and
/// reused for every token it verifies: a SHA-256 digest context and, per public key, an
/// `EVP_PKEY_CTX` already through `EVP_PKEY_verify_init`.
///
/// Why per thread: an `EVP_PKEY_CTX` keeps scratch state while it verifies, so it cannot be
/// shared, and making one per token (or duplicating a prototype) costs allocations and a
/// provider lookup that `openssl speed` never pays. With the contexts kept, a verification
/// is one hash and the RSA public operation, nothing else (docs/BENCHMARKS.md).
///
/// Ownership: the thread owns its `RS256ThreadContext` (through `ThreadLocal`, released
/// when the thread exits); the context owns every
/// C object in it and frees each once in `deinit`. A key context holds the only reference to
/// this thread's copy of the `EVP_PKEY`, so a key dropped from the JWKS stays valid here until
/// its slot is reused.
final class RS256ThreadContext {
    /// Public keys remembered per thread; a pool publishes two or three at a time.
    static let slotCount = 8

    private let sha256: OpaquePointer       // EVP_MD, fetched once
    private let digest: OpaquePointer       // EVP_MD_CTX
    /// Verify contexts by key serial, oldest replaced first once full.
    private var slots: [(serial: UInt64, context: OpaquePointer)] = []
    private var nextVictim = 0

    private init?() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { return nil }
        guard let ctx = EVP_MD_CTX_new() else { EVP_MD_free(md); return nil }
        sha256 = md
        digest = ctx
    }

    deinit {
        for slot in slots { EVP_PKEY_CTX_free(slot.context) }
        EVP_MD_CTX_free(digest)
        EVP_MD_free(sha256)
    }

    /// The calling thread's context, made on first use; nil only if OpenSSL cannot allocate.
    static func current() -> RS256ThreadContext? { perThread.get() }

    private static let perThread = ThreadLocal { RS256ThreadContext() }

    /// DER `DigestInfo` prefix for SHA-256 (RFC 8017 §9.2 note 1); the hash follows it.
    private static let digestInfoPrefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ]

    /// RSASSA-PKCS1-v1_5 verification as RFC 8017 §8.2.2 states it: hash the message, build
    /// the expected `DigestInfo`, and let OpenSSL undo the signature, check the type-1
    /// padding and compare the recovered bytes with ours, length included. The signature
    /// length is the caller's check (it knows the modulus size).
    func verify(pkey: OpaquePointer, serial: UInt64, signature: UnsafeRawBufferPointer,
                message: UnsafeRawBufferPointer) -> Bool {
        guard let ctx = context(pkey: pkey, serial: serial) else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 51) { expected in
            let prefix = Self.digestInfoPrefix.count
            _ = expected.initialize(from: Self.digestInfoPrefix)
            guard hash(message, into: expected.baseAddress! + prefix) else { return false }
            let sig = signature.bindMemory(to: UInt8.self)
            let ok = EVP_PKEY_verify(ctx, sig.baseAddress, sig.count, expected.baseAddress, prefix + 32) == 1
            if !ok { ERR_clear_error() }  // a bad signature leaves an error queued on this thread
            return ok
        }
    }

    /// SHA-256 of `message` into the 32 bytes at `out`, on this thread's digest context
    /// (also what names a token in the logs, `TokenFingerprint`).
    func hash(_ message: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        var length: UInt32 = 0
        guard EVP_DigestInit_ex2(digest, sha256, nil) == 1,
              EVP_DigestUpdate(digest, message.baseAddress, message.count) == 1,
              EVP_DigestFinal_ex(digest, out, &length) == 1, length == 32
        else {
            ERR_clear_error()
            return false
        }
        return true
    }

    /// This thread's verification context for the key `serial`, made (and an old one
    /// evicted, round robin) the first time the thread sees the key.
    ///
    /// The context is made on a copy of the key of this thread's own (`EVP_PKEY_dup`, a
    /// deep copy; the context holds the copy's only reference). OpenSSL 3.0's RSA public
    /// operation takes a read lock of the key object on every call (for its cached
    /// Montgomery context, `BN_MONT_CTX_set_locked`): on one key object shared by every
    /// event loop, that lock word would be written by all of them for every token.
    private func context(pkey: OpaquePointer, serial: UInt64) -> OpaquePointer? {
        for slot in slots where slot.serial == serial { return slot.context }
        guard let own = EVP_PKEY_dup(pkey) else { ERR_clear_error(); return nil }
        defer { EVP_PKEY_free(own) }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, own, nil) else { return nil }
        guard EVP_PKEY_verify_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 else {
            EVP_PKEY_CTX_free(ctx)
            ERR_clear_error()
            return nil
        }
        if slots.count < Self.slotCount {
            slots.append((serial, ctx))
        } else {
            EVP_PKEY_CTX_free(slots[nextVictim].context)
            slots[nextVictim] = (serial, ctx)
            nextVictim = (nextVictim + 1) % Self.slotCount
        }
        return ctx
    }
}
