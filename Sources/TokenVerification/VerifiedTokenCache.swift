import DequeModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Repeat tokens skip parsing and RSA (SPEC §6 "Verified-token cache").
///
/// - Keyed by the token's exact bytes (a byte compare on hit; a lookup borrows the caller's
///   bytes, only a stored key copies them). Keying by a digest
///   instead would save the token's kilobyte per entry but cost a SHA-256 of it on every
///   lookup, a sizeable share of what a hit costs over TCP (docs/BENCHMARKS.md).
/// - Bounded twice: at most `maxEntries` entries and about `maxBytes` bytes in total,
///   each entry counted by `VerifiedToken.footprint` plus its key. Either at 0 disables it.
/// - Not one lock: `shardCount` shards, each its own `Mutex`, picked by the token's hash,
///   held only for a dictionary lookup or insert. Event loops rarely meet on one shard.
/// - Eviction is FIFO per shard: O(1), no list to maintain on hits.
/// - Hits and misses are counted per shard, under the lock a lookup holds anyway: no
///   extra atomic or lock per request; `counts` sums them when metrics are scraped.
/// - Freshness is not this type's job: the verifier re-checks steps 6-9 (and that the key
///   is still published) on every hit and drops an entry past its `exp`.
final class VerifiedTokenCache: Sendable {
    static let shardCount = 16
    /// What a stored key costs besides the token's bytes: the String's heap object and
    /// its slots in the dictionary and the eviction queue (measured: docs/BENCHMARKS.md).
    static let keyOverheadBytes = 96

    /// A token's bytes as a dictionary key: owned by a stored entry's key (`StoredToken`),
    /// borrowed by a lookup's for the length of that lookup, so a hit neither copies the
    /// token's kilobyte nor allocates.
    ///
    /// Unchecked `Sendable`: a borrowing key never outlives the call that made it (it is
    /// only looked up or removed, never stored), and a stored key's bytes are written once,
    /// before the key exists, and only read after.
    private struct Key: Hashable, @unchecked Sendable {
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
        static func == (a: Key, b: Key) -> Bool {
            a.hash == b.hash && a.token.count == b.token.count
                && (a.token.count == 0 || memcmp(a.token.baseAddress!, b.token.baseAddress!, a.token.count) == 0)
        }

        var bytes: Int { token.count + VerifiedTokenCache.keyOverheadBytes }
    }

    /// The bytes of a stored key: one allocation, freed with the key's last copy.
    private final class StoredToken: @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer

        init(copying token: UnsafeRawBufferPointer) {
            bytes = .allocate(byteCount: max(token.count, 1), alignment: 1)
            if let base = token.baseAddress { bytes.baseAddress!.copyMemory(from: base, byteCount: token.count) }
        }

        deinit { bytes.deallocate() }
    }

    private struct Shard {
        var entries: [Key: VerifiedToken] = [:]
        /// Keys in insertion order; a key whose entry was removed since is skipped.
        var order = Deque<Key>()
        var bytes = 0
        var hits = 0
        var misses = 0
        let maxEntries: Int
        let maxBytes: Int

        init(maxEntries: Int, maxBytes: Int) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            entries.reserveCapacity(min(maxEntries, 4096))
        }

        mutating func insert(_ key: Key, _ entry: VerifiedToken) {
            if let old = entries.updateValue(entry, forKey: key) {
                bytes += entry.footprint - old.footprint
                return
            }
            bytes += key.bytes + entry.footprint
            order.append(key)
            // The queue never outgrows the entry bound, stale keys included.
            while order.count > maxEntries || (bytes > maxBytes && !order.isEmpty) {
                remove(order.removeFirst())
            }
        }

        mutating func remove(_ key: Key) {
            guard let gone = entries.removeValue(forKey: key) else { return }
            bytes -= key.bytes + gone.footprint
        }
    }

    private final class ShardBox: Sendable {
        let mutex: Mutex<Shard>
        init(maxEntries: Int, maxBytes: Int) { mutex = Mutex(Shard(maxEntries: maxEntries, maxBytes: maxBytes)) }
    }

    private let shards: [ShardBox]
    /// Per-process random seed so collisions cannot be planned offline.
    private let seed = UInt64.random(in: .min ... .max)

    /// nil when either bound is 0 (cache disabled).
    init?(maxEntries: Int, maxBytes: Int = .max) {
        guard maxEntries > 0, maxBytes > 0 else { return nil }
        let count = min(Self.shardCount, maxEntries)
        let entriesPerShard = (maxEntries + count - 1) / count
        let bytesPerShard = maxBytes / count
        shards = (0..<count).map { _ in ShardBox(maxEntries: entriesPerShard, maxBytes: bytesPerShard) }
    }

    /// A fast hash of the token's bytes: length plus the last 16 bytes (the signature's
    /// tail, uniformly random for any token that was ever inserted — only verified tokens
    /// are) plus the first 8, mixed with a per-process seed. Equality is always checked
    /// on the full bytes; this only picks the shard and bucket.
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

    @inline(__always) private func shard(_ hash: UInt64) -> ShardBox {
        shards[Int(hash >> 32) % shards.count]
    }

    func lookup(_ token: UnsafeRawBufferPointer, hash: UInt64) -> VerifiedToken? {
        let key = Key(borrowing: token, hash: hash)
        return shard(hash).mutex.withLock { shard in
            let entry = shard.entries[key]
            if entry == nil { shard.misses &+= 1 } else { shard.hits &+= 1 }
            return entry
        }
    }

    func insert(_ token: UnsafeRawBufferPointer, hash: UInt64, _ entry: VerifiedToken) {
        let key = Key(copying: token, hash: hash)
        shard(hash).mutex.withLock { $0.insert(key, entry) }
    }

    func remove(_ token: UnsafeRawBufferPointer, hash: UInt64) {
        let key = Key(borrowing: token, hash: hash)
        shard(hash).mutex.withLock { $0.remove(key) }
    }

    var count: Int { shards.reduce(0) { $0 + $1.mutex.withLock { $0.entries.count } } }

    /// Lookups that found an entry, and lookups that did not, since start.
    var counts: (hits: Int, misses: Int) {
        shards.reduce((0, 0)) { sum, box in box.mutex.withLock { (sum.0 + $0.hits, sum.1 + $0.misses) } }
    }

    /// Bytes the entries are counted as, in total.
    var bytes: Int { shards.reduce(0) { $0 + $1.mutex.withLock { $0.bytes } } }
}
