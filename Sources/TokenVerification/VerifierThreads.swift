import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What one thread keeps to verify tokens for one `TokenVerifier`, so that a verification
/// writes no memory another thread writes (docs/DESIGN.md "Multi-core"): its share of the
/// verified-token cache, its own hit and miss counts, its own copy of the configured
/// strings the parser hands back (a `String` shared by every thread would have its
/// reference count written by all of them), and its own view of each pool's keys.
///
/// Made on the thread's first verification (`VerifierThreads.withCurrent`), used only by that
/// thread; other threads read only the atomic counters (and `cache`'s), when metrics are
/// scraped.
final class VerifierThreadState: @unchecked Sendable {
    // @unchecked: everything but the counters is used by the owning thread alone; the
    // counters are single-writer atomics.

    /// This thread's share of the verified-token cache; nil when the cache is off or every
    /// share is held by another thread (`VerifierThreads`).
    let cache: VerifiedTokenCache?
    /// Verified-token cache lookups by outcome (a thread without a share counts a miss
    /// for each token it would have looked up).
    private let hitCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)
    /// The configured issuers and app clients, in this thread's own copies.
    let expected: TokenClaims.Expected
    let clientIDs: [String]
    /// Each trusted pool's keys as this thread last read them, in `JWKSRegistry.caches`
    /// order.
    let pools: [PoolKeys]

    init(cache: VerifiedTokenCache?, registry: JWKSRegistry, clientIDs: [String]) {
        self.cache = cache
        let issuers = registry.caches.map { Self.ownCopy($0.issuer) }
        self.clientIDs = clientIDs.map(Self.ownCopy)
        self.expected = TokenClaims.Expected(issuers: issuers, clientIDs: self.clientIDs)
        self.pools = registry.caches.enumerated().map { PoolKeys(cache: $1, issuer: issuers[$0], index: $0) }
    }

    /// A `String` with storage of its own (a plain copy shares the original's).
    static func ownCopy(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }

    /// The pool whose issuer is `issuer`, one of this thread's strings (`expected`): the
    /// comparison is an identity check of the storage, a memcmp at worst.
    @inline(__always)
    func pool(issuer: String) -> PoolKeys? {
        for pool in pools where pool.issuer == issuer { return pool }
        return nil
    }

    /// A plain load and store: this thread is the only writer.
    @inline(__always) func countHit() { hitCount.store(hitCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }
    @inline(__always) func countMiss() { missCount.store(missCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }

    var hits: Int { hitCount.load(ordering: .relaxed) }
    var misses: Int { missCount.load(ordering: .relaxed) }

    /// True while the key that verified `token` is still published under its kid: a JWKS
    /// refresh that withdrew it makes a cached token verify from scratch.
    func stillTrusts(_ token: VerifiedToken) -> Bool {
        let pool = pools[token.poolIndex]
        pool.update()
        return pool.trusts(kid: token.kid, serial: token.keySerial, generation: token.keyGeneration)
    }
}

/// One pool's keys as one thread sees them: the pool's snapshot, taken again only when
/// the pool's generation (an atomic written only when its keys change) has moved. Per
/// request that is one load of a word every thread reads and none writes, no lock.
///
/// The snapshot is held strongly, so the keys listed here, held unretained, live as long
/// as this view uses them; using them then costs no reference counting on objects every
/// thread shares.
final class PoolKeys {
    /// The shared cache: read for its generation, asked for a fetch of an unknown kid.
    let cache: JWKSCache
    /// This thread's copy of the issuer, the one `TokenClaims` hands back.
    let issuer: String
    let index: Int
    // Unchecked exclusivity: only this view's thread touches these.
    /// The generation of `snapshot`; `.max` before the first read.
    @exclusivity(unchecked) private(set) var generation: UInt64 = .max
    private var snapshot: JWKSCache.Snapshot?
    @exclusivity(unchecked) private var keys: [(kid: String, serial: UInt64, key: Unmanaged<RSAPublicKey>)] = []
    /// Index of each kid in `keys`, for a pool that publishes more than a handful.
    @exclusivity(unchecked) private var byKid: [String: Int] = [:]

    init(cache: JWKSCache, issuer: String, index: Int) {
        self.cache = cache
        self.issuer = issuer
        self.index = index
    }

    /// Reads the pool's snapshot again if its keys changed since this thread last did.
    @inline(__always)
    func update() {
        if cache.generation != generation { reload() }
    }

    private func reload() {
        let next = cache.snapshot()
        keys = (next.set?.entries ?? []).map {
            (VerifierThreadState.ownCopy($0.kid), $0.key.serial, Unmanaged.passUnretained($0.key))
        }
        byKid = [:]
        if keys.count > 8 {
            for (i, key) in keys.enumerated() { byKid[key.kid] = i }
        }
        snapshot = next
        generation = next.generation
    }

    /// The index of the key published under `kid`, if any (after `update`): a short
    /// linear scan for the usual handful of keys (a `String` compare is a length check and
    /// a memcmp), the dictionary beyond that.
    @inline(__always)
    func keyIndex(_ kid: String) -> Int? {
        if keys.count > 8 { return byKid[kid] }
        for i in keys.indices where keys[i].kid == kid { return i }
        return nil
    }

    /// Checks an RS256 signature with key `index`; the key's serial names it in the token.
    @inline(__always)
    func verify(key index: Int, signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        keys[index].key._withUnsafeGuaranteedRef { $0.verify(signature: signature, message: message) }
    }

    func serial(ofKey index: Int) -> UInt64 { keys[index].serial }

    /// The key `serial` is published under `kid` in the keys this thread has (after `update`).
    func trusts(kid: String, serial: UInt64, generation: UInt64) -> Bool {
        if generation == self.generation { return true }
        guard let index = keyIndex(kid) else { return false }
        return keys[index].serial == serial
    }
}

/// Every thread's `VerifierThreadState` for one `TokenVerifier`, and the cache shares.
///
/// The verified-token cache is split into `shares` caches of `1/shares` of the configured
/// entries and bytes each (the first `entries % shares` one entry more), so that together
/// they hold what is configured. A thread takes a free share on its first verification;
/// a thread that finds none free verifies without a cache. The server makes as many shares
/// as event loops, and verifies only on them. A thread that exits gives its share back, its
/// entries still in it, to the next thread that needs one.
///
/// The mutex here is taken when a thread first verifies, when one exits, and when the
/// counts are read (metrics, Health): never per request.
final class VerifierThreads: Sendable {
    /// Tells this verifier's states apart in a thread's list.
    let id: UInt64
    /// The verified-token cache is on (both bounds above 0).
    let caching: Bool
    private let registry: JWKSRegistry
    private let clientIDs: [String]
    private let shares: Int
    private let entries: Int
    private let bytes: Int
    /// One seed for every share, random per process, so collisions cannot be planned offline.
    private let seed = UInt64.random(in: .min ... .max)
    private let retired = Atomic<Bool>(false)

    private struct Books {
        var states: [VerifierThreadState] = []
        /// Every share made so far, held or free.
        var caches: [VerifiedTokenCache] = []
        var free: [VerifiedTokenCache] = []
        /// What the states of exited threads counted.
        var goneHits = 0
        var goneMisses = 0
    }
    private let books = Mutex(Books())

    private static let ids = Atomic<UInt64>(0)

    /// `shares`: how many threads get a share of the cache's `entries` and `bytes`.
    init(registry: JWKSRegistry, clientIDs: [String], entries: Int, bytes: Int, shares: Int) {
        self.id = Self.ids.add(1, ordering: .relaxed).newValue
        self.registry = registry
        self.clientIDs = clientIDs
        self.caching = entries > 0 && bytes > 0
        // Never a share of 0 entries: fewer shares when there are fewer entries than threads.
        self.shares = caching ? max(1, min(shares, entries)) : 0
        self.entries = entries
        self.bytes = bytes
    }

    /// The processors online: the default number of shares, one per thread that could
    /// be verifying at once.
    static var processors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Calls `body` with the calling thread's state, made on its first call: a
    /// `pthread_getspecific` and a scan of the (usually one-element) list of the verifiers
    /// this thread has used. The state is passed unretained: the thread's list keeps it.
    @inline(__always)
    func withCurrent<R>(_ body: (VerifierThreadState) -> R) -> R {
        ThreadStates.perThread.withValue { list in
            for i in list.ids.indices where list.ids[i] == id {
                return list.unretained[i]._withUnsafeGuaranteedRef(body)
            }
            return body(join(list))
        }!
    }

    /// This thread's first verification for this verifier: takes a free share if there is one.
    private func join(_ list: ThreadStates) -> VerifierThreadState {
        list.forgetRetired()
        let state = books.withLock { books -> VerifierThreadState in
            var share = books.free.popLast()
            if share == nil, books.caches.count < shares {
                let i = books.caches.count
                let made = VerifiedTokenCache(maxEntries: entries / shares + (i < entries % shares ? 1 : 0),
                                              maxBytes: bytes / shares, seed: seed)
                books.caches.append(made)
                share = made
            }
            let state = VerifierThreadState(cache: share, registry: registry, clientIDs: clientIDs)
            books.states.append(state)
            return state
        }
        list.add(id: id, state: state, owner: self)
        return state
    }

    /// Called on a thread that is exiting (`ThreadStates.deinit`): its counts are kept,
    /// its share goes back.
    fileprivate func threadExited(_ state: VerifierThreadState) {
        books.withLock { books in
            books.goneHits += state.hits
            books.goneMisses += state.misses
            books.states.removeAll { $0 === state }
            if let share = state.cache { books.free.append(share) }
        }
    }

    /// The verifier is gone: threads drop their states for it when they next join another.
    func retire() { retired.store(true, ordering: .releasing) }

    fileprivate var isRetired: Bool { retired.load(ordering: .acquiring) }

    // MARK: reading, from any thread

    /// Lookups that found an entry, and lookups that did not, by every thread since start.
    var counts: (hits: Int, misses: Int) {
        books.withLock { books in
            books.states.reduce((books.goneHits, books.goneMisses)) { ($0.0 + $1.hits, $0.1 + $1.misses) }
        }
    }

    /// Entries in every share, and the bytes they are counted as.
    var usage: (entries: Int, bytes: Int) {
        books.withLock { books in books.caches.reduce((0, 0)) { ($0.0 + $1.count, $0.1 + $1.bytes) } }
    }

    /// Shares made and held by no thread now (for tests).
    var freeShares: Int { books.withLock { $0.free.count } }

    /// The bounds of each share made so far (for tests).
    var shareBounds: [(entries: Int, bytes: Int)] {
        books.withLock { books in books.caches.map { (entries: $0.maxEntries, bytes: $0.maxBytes) } }
    }
}

/// One thread's states, one per verifier it has used; released when the thread exits.
/// The ids are scanned on every verification; the states and their owners are apart so
/// the scan copies no reference (`owners` are shared objects: retaining one would write
/// memory every thread writes).
private final class ThreadStates {
    static let perThread = ThreadLocal { ThreadStates() }

    // Unchecked exclusivity: only this thread touches these (the dynamic check would cost
    // more than the scan).
    @exclusivity(unchecked) private(set) var ids: [UInt64] = []
    /// `states`, unretained, for the per-request scan.
    @exclusivity(unchecked) private(set) var unretained: [Unmanaged<VerifierThreadState>] = []
    private var states: [VerifierThreadState] = []
    private var owners: [VerifierThreads] = []

    func add(id: UInt64, state: VerifierThreadState, owner: VerifierThreads) {
        ids.append(id)
        unretained.append(.passUnretained(state))
        states.append(state)
        owners.append(owner)
    }

    /// Drops the states of verifiers that are gone, and with them their cache shares.
    func forgetRetired() {
        for i in owners.indices.reversed() where owners[i].isRetired {
            ids.remove(at: i)
            unretained.remove(at: i)
            states.remove(at: i)
            owners.remove(at: i)
        }
    }

    deinit {
        for (owner, state) in zip(owners, states) { owner.threadExited(state) }
    }
}
