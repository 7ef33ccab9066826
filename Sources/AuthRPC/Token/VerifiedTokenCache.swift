import Synchronization

/// Repeat tokens skip parsing and RSA (SPEC §6 "Verified-token cache").
///
/// - Keyed by the token's exact bytes (a `String` compare on hit), bounded to `capacity`
///   entries in total, 0 disables it.
/// - Not one lock: `shardCount` shards, each its own `Mutex`, picked by the token's hash,
///   held only for a dictionary lookup or insert. Event loops rarely meet on one shard.
/// - Eviction is FIFO per shard through a ring of keys: O(1), no list to maintain on hits.
/// - Freshness is not this type's job: the verifier re-checks steps 6-9 (and that the key
///   is still published) on every hit and drops an entry past its `exp`.
final class VerifiedTokenCache: Sendable {
    static let shardCount = 16

    private struct Key: Hashable {
        let hash: UInt64
        let token: String
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.token == b.token }
    }

    private struct Shard {
        var entries: [Key: VerifiedToken] = [:]
        var ring: [Key?]
        var next = 0

        init(capacity: Int) {
            ring = Array(repeating: nil, count: capacity)
            entries.reserveCapacity(capacity)
        }
    }

    private final class ShardBox: Sendable {
        let mutex: Mutex<Shard>
        init(capacity: Int) { mutex = Mutex(Shard(capacity: capacity)) }
    }

    private let shards: [ShardBox]
    /// Per-process random seed so collisions cannot be planned offline.
    private let seed = UInt64.random(in: .min ... .max)

    /// nil when `capacity` is 0 (cache disabled).
    init?(capacity: Int) {
        guard capacity > 0 else { return nil }
        let count = min(Self.shardCount, capacity)
        let perShard = (capacity + count - 1) / count
        shards = (0..<count).map { _ in ShardBox(capacity: perShard) }
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

    func lookup(_ token: String, hash: UInt64) -> VerifiedToken? {
        let key = Key(hash: hash, token: token)
        return shard(hash).mutex.withLock { $0.entries[key] }
    }

    func insert(_ token: String, hash: UInt64, _ entry: VerifiedToken) {
        let key = Key(hash: hash, token: token)
        shard(hash).mutex.withLock { s in
            if s.entries.updateValue(entry, forKey: key) != nil { return }
            // Evict whatever the ring slot held (it may already be gone: harmless).
            if let old = s.ring[s.next] { s.entries.removeValue(forKey: old) }
            s.ring[s.next] = key
            s.next = (s.next + 1) % s.ring.count
        }
    }

    func remove(_ token: String, hash: UInt64) {
        let key = Key(hash: hash, token: token)
        shard(hash).mutex.withLock { _ = $0.entries.removeValue(forKey: key) }
    }

    var count: Int { shards.reduce(0) { $0 + $1.mutex.withLock { $0.entries.count } } }
}
