import Synchronization

/// A `RateLimit` per key (a caller, a username) in bounded memory.
///
/// Keys are kept as 64-bit hashes from the process's randomly seeded `Hasher`, never as
/// text: a username is not stored, and nobody can choose names that collide. The table
/// holds at most `maxKeys`; when a shard is full, buckets that have refilled go first
/// (they know nothing a new bucket would not), then the least recently used half. A
/// flood of distinct keys therefore costs at most `maxKeys` entries (about 48 bytes
/// each), and can only make the limit more lenient for a key it pushes out — never
/// refuse someone who has not used up their own bucket.
///
/// Sharded so that callers on different threads rarely meet on one lock; a lock is held
/// for one dictionary lookup.
final class KeyedRateLimiter: Sendable {
    let limit: RateLimit
    private let shards: [Locked]
    private static let shardCount = 16

    /// `Mutex` cannot be copied into an array; each shard's lives in a box.
    private final class Locked: Sendable {
        let mutex: Mutex<Shard>
        init(_ shard: Shard) { mutex = Mutex(shard) }
    }

    private struct Entry {
        var bucket: TokenBucket
        var lastUsed: Int64
    }

    private struct Shard {
        var entries: [UInt64: Entry] = [:]
        let capacity: Int

        mutating func makeRoom(limit: RateLimit, now: Int64) {
            guard entries.count >= capacity else { return }
            entries = entries.filter { _, entry in
                var bucket = entry.bucket
                return !bucket.isFull(limit, now: now)
            }
            guard entries.count >= capacity else { return }
            // Still full of live buckets: keep the more recently used half.
            let mean = entries.values.reduce(0.0) { $0 + Double($1.lastUsed) } / Double(entries.count)
            entries = entries.filter { Double($0.value.lastUsed) > mean }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        }
    }

    init(limit: RateLimit, maxKeys: Int) {
        self.limit = limit
        let perShard = max(1, maxKeys / Self.shardCount)
        self.shards = (0..<Self.shardCount).map { _ in Locked(Shard(capacity: perShard)) }
    }

    /// Takes one request for `key`; nil when allowed, else the milliseconds until it would be.
    func take<Key: Hashable>(_ key: Key, now: Int64) -> UInt32? {
        let hash = UInt64(bitPattern: Int64(key.hashValue))
        let limit = self.limit
        return shards[Int(hash % UInt64(Self.shardCount))].mutex.withLock { shard in
            if var entry = shard.entries[hash] {
                let wait = entry.bucket.take(limit, now: now)
                entry.lastUsed = now
                shard.entries[hash] = entry
                return wait
            }
            shard.makeRoom(limit: limit, now: now)
            var bucket = TokenBucket(limit: limit, now: now)
            let wait = bucket.take(limit, now: now)
            shard.entries[hash] = Entry(bucket: bucket, lastUsed: now)
            return wait
        }
    }

    /// Gives back the token of a request that is no longer counted against `key`.
    func refund<Key: Hashable>(_ key: Key) {
        let hash = UInt64(bitPattern: Int64(key.hashValue))
        let limit = self.limit
        shards[Int(hash % UInt64(Self.shardCount))].mutex.withLock { shard in
            shard.entries[hash]?.bucket.giveBack(limit)
        }
    }

    /// Keys tracked now (for tests and the memory bound).
    var count: Int { shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.entries.count } } }
}
