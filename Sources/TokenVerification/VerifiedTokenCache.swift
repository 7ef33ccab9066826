import DequeModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Repeat tokens skip parsing and RSA (SPEC §6 "Verified-token cache"): one thread's
/// share of it. Every thread that verifies has its own (`VerifierThreads`), with
/// `1/shares` of the configured entries and bytes, so a lookup takes no lock and writes
/// no memory another thread writes (docs/DESIGN.md "Multi-core").
///
/// - Keyed by the token's exact bytes (a byte compare on hit; a lookup borrows the caller's
///   bytes, only a stored key copies them). Keying by a digest
///   instead would save the token's kilobyte per entry but cost a SHA-256 of it on every
///   lookup, a sizeable share of what a hit costs over TCP (docs/BENCHMARKS.md).
/// - Bounded twice: at most `maxEntries` entries and about `maxBytes` bytes, each entry
///   counted by `VerifiedToken.footprint` plus its key.
/// - Eviction is FIFO: O(1), no list to maintain on hits.
/// - Freshness is not this type's job: the verifier re-checks steps 6-9 (and that the key
///   is still published) on every hit and drops an entry past its `exp`.
///
/// Ownership: one thread at a time — the thread whose `VerifierThreadState` holds it —
/// calls `lookup`, `insert` and `remove`; a share passes to another thread only through
/// `VerifierThreads`' mutex, when its thread has exited. Any thread may read `count` and
/// `bytes`: single-writer atomics, as the metrics scrape and Health read them.
final class VerifiedTokenCache: @unchecked Sendable {
    // @unchecked: `entries`, `order` and `bytesCounted` are touched only by the owning
    // thread (see above); the rest is immutable or atomic.

    /// What a stored key costs besides the token's bytes: the String's heap object and
    /// its slots in the dictionary and the eviction queue (measured: docs/BENCHMARKS.md).
    static let keyOverheadBytes = 96

    /// A token's bytes as a dictionary key: owned by a stored entry's key (`StoredToken`),
    /// borrowed by a lookup's for the length of that lookup, so a hit neither copies the
    /// token's kilobyte nor allocates.
    private struct Key: Hashable {
        let hash: UInt64
        let token: UnsafeRawBufferPointer
        /// Keeps `token` alive for a stored key; nil for a lookup's, whose caller holds it.
        let owner: StoredToken?

        /// A key for one lookup or removal: valid only while `token` is.
        init(borrowing token: UnsafeRawBufferPointer, hash: UInt64) {
            self.hash = hash
            self.token = token
            self.owner = nil
        }

        /// A key to store: a copy of the token's bytes.
        init(copying token: UnsafeRawBufferPointer, hash: UInt64) {
            let owner = StoredToken(copying: token)
            self.hash = hash
            self.token = UnsafeRawBufferPointer(owner.bytes)
            self.owner = owner
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        /// The dictionary's bucket straight from `hash`, already mixed with a per-process
        /// seed: through `Hasher` every lookup paid a SipHash of it (a tenth of a cached
        /// verification in process, perf).
        func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: hash) ^ seed }
        static func == (a: Key, b: Key) -> Bool {
            a.hash == b.hash && a.token.count == b.token.count
                && (a.token.count == 0 || memcmp(a.token.baseAddress!, b.token.baseAddress!, a.token.count) == 0)
        }

        var bytes: Int { token.count + VerifiedTokenCache.keyOverheadBytes }
    }

    /// The bytes of a stored key: one allocation, freed with the key's last copy.
    private final class StoredToken {
        let bytes: UnsafeMutableRawBufferPointer

        init(copying token: UnsafeRawBufferPointer) {
            bytes = .allocate(byteCount: max(token.count, 1), alignment: 1)
            if let base = token.baseAddress { bytes.baseAddress!.copyMemory(from: base, byteCount: token.count) }
        }

        deinit { bytes.deallocate() }
    }

    // Unchecked exclusivity: one owning thread (above); the dynamic check on every lookup
    // would cost more than the lookup's bookkeeping.
    @exclusivity(unchecked) private var entries: [Key: VerifiedToken] = [:]
    /// Keys in insertion order; a key whose entry was removed since is skipped.
    @exclusivity(unchecked) private var order = Deque<Key>()
    @exclusivity(unchecked) private var bytesCounted = 0
    let maxEntries: Int
    let maxBytes: Int
    /// Mirrors of `entries.count` and `bytesCounted` for readers on other threads; only
    /// the owner stores them.
    private let entryCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int>(0)
    /// Per-process random seed so collisions cannot be planned offline; shared by every
    /// share of one verifier (read-only).
    private let seed: UInt64

    init(maxEntries: Int, maxBytes: Int, seed: UInt64) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.seed = seed
        entries.reserveCapacity(min(maxEntries, 4096))
    }

    /// A fast hash of the token's bytes: length plus the last 16 bytes (the signature's
    /// tail, uniformly random for any token that was ever inserted — only verified tokens
    /// are) plus the first 8, mixed with a per-process seed. Equality is always checked
    /// on the full bytes; this only picks the bucket.
    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        let n = bytes.count
        if n >= 24 {
            let a = bytes.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
            let b = bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            let c = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            h = mix(h ^ a); h = mix(h ^ b); h = mix(h ^ c)
        } else {
            for byte in bytes { h = mix(h ^ UInt64(byte)) }
        }
        return h
    }

    @inline(__always) private func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: the owning thread

    func lookup(_ token: UnsafeRawBufferPointer, hash: UInt64) -> VerifiedToken? {
        entries[Key(borrowing: token, hash: hash)]
    }

    func insert(_ token: UnsafeRawBufferPointer, hash: UInt64, _ entry: VerifiedToken) {
        let key = Key(copying: token, hash: hash)
        if let old = entries.updateValue(entry, forKey: key) {
            bytesCounted += entry.footprint - old.footprint
        } else {
            bytesCounted += key.bytes + entry.footprint
            order.append(key)
            // The queue never outgrows the entry bound, stale keys included.
            while order.count > maxEntries || (bytesCounted > maxBytes && !order.isEmpty) {
                drop(order.removeFirst())
            }
        }
        publish()
    }

    func remove(_ token: UnsafeRawBufferPointer, hash: UInt64) {
        drop(Key(borrowing: token, hash: hash))
        publish()
    }

    private func drop(_ key: Key) {
        guard let gone = entries.removeValue(forKey: key) else { return }
        bytesCounted -= key.bytes + gone.footprint
    }

    /// A plain load and store: this thread is the only writer.
    @inline(__always) private func publish() {
        entryCount.store(entries.count, ordering: .relaxed)
        byteCount.store(bytesCounted, ordering: .relaxed)
    }

    // MARK: any thread

    /// Entries held now.
    var count: Int { entryCount.load(ordering: .relaxed) }

    /// Bytes the entries are counted as.
    var bytes: Int { byteCount.load(ordering: .relaxed) }
}
