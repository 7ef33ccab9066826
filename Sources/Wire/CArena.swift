#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns every C allocation made while building the protobuf-c structs of one encode.
///
/// protobuf-c's pack functions read a tree of C structs, strings and pointer arrays that
/// the caller must build and later free. Rather than pairing each `malloc` with its own
/// `free` across a dozen converters, every allocation is the arena's and released once,
/// together, when the encode ends. Use it only through `withCArena`, so that its
/// lifetime (and so every pointer it hands out) ends before the encode returns: no pointer
/// it produces may be stored anywhere that outlives that closure.
///
/// Each thread keeps one arena with a block of scratch memory that every encode on that
/// thread reuses: the structs and strings of an ordinary answer fit in it, so encoding one
/// allocates nothing (an answer on the hot path used to cost three allocations here: the
/// arena, its list, the message). What does not fit is allocated and freed as before.
final class CArena {
    /// Reused scratch memory; nil for a one-off arena (an encode inside an encode).
    private let block: UnsafeMutableRawPointer?
    private let blockSize: Int
    /// Bytes of `block` handed out in this encode.
    private var used = 0
    /// What did not fit in `block`, freed when the encode ends.
    private var allocations: [UnsafeMutableRawPointer] = []
    /// A string given to `string(_:)` held U+0000: what was built must not be packed.
    private var containsNUL = false
    /// An encode is using this arena now.
    fileprivate var inUse = false

    /// Large enough for an answer's structs and claim strings; a Cognito answer carrying
    /// tokens goes past it, and its extra allocations are freed as before.
    static let perThreadBlockSize = 16 << 10

    fileprivate init(blockSize: Int) {
        self.blockSize = blockSize
        block = blockSize > 0 ? malloc(blockSize) : nil
        allocations.reserveCapacity(16)
    }

    deinit {
        for pointer in allocations { free(pointer) }
        free(block)
    }

    /// Frees what the last encode allocated outside the block and makes the block free again.
    fileprivate func reset() {
        for pointer in allocations { free(pointer) }
        allocations.removeAll(keepingCapacity: true)
        used = 0
        containsNUL = false
    }

    /// Zeroed memory for `count` values of `T`, freed (or reused) when the encode ends.
    private func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let byteCount = max(count, 1) * MemoryLayout<T>.stride
        let start = (used + 15) & ~15
        if let block, start + byteCount <= blockSize {
            used = start + byteCount
            let memory = block + start
            memset(memory, 0, byteCount)
            return memory.bindMemory(to: T.self, capacity: max(count, 1))
        }
        guard let raw = calloc(max(count, 1), MemoryLayout<T>.stride) else {
            fatalError("out of memory while encoding a message")
        }
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A NUL-terminated copy of `string`, or nil for the empty string.
    ///
    /// nil is what protobuf-c packs as an absent (empty) proto3 string, so the common
    /// empty field costs nothing. protobuf-c strings are C strings, which would cut
    /// a string at U+0000: such a string is noted (`containsNUL`) and the encode refuses.
    func string(_ string: String) -> UnsafeMutablePointer<CChar>? {
        if string.isEmpty { return nil }
        return string.withCString { source in
            let length = strlen(source) + 1
            if length - 1 != string.utf8.count { containsNUL = true }
            let copy = allocate(CChar.self, count: length)
            copy.initialize(from: source, count: length)
            return copy
        }
    }

    /// A NUL-terminated copy of a token's bytes, or nil when it is empty (as `string`).
    func string(_ token: TokenBytes) -> UnsafeMutablePointer<CChar>? {
        token.withUnsafeBytes { source in
            guard let base = source.baseAddress, source.count > 0 else { return nil }
            if memchr(base, 0, source.count) != nil { containsNUL = true }
            let copy = allocate(CChar.self, count: source.count + 1)
            UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: source.count)
            copy[source.count] = 0
            return copy
        }
    }

    /// Throws when a string of the message built in this arena would be cut short on
    /// the wire; call before packing.
    func checkEncodable() throws(WireError) {
        if containsNUL { throw .stringContainsNUL(field: nil) }
    }

    /// A C array of strings for a `repeated string` field (`n_x`, `x`). An empty element
    /// is an empty C string, never nil: protobuf-c measures repeated strings with `strlen`
    /// and no NULL check (a group named "" crashed the pack).
    func strings(_ strings: [String]) -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        pointers(strings) { string($0) ?? allocate(CChar.self, count: 1) }
    }

    /// One protobuf-c message struct: zeroed, set up by its generated `__init` (which
    /// points `base.descriptor` at the right descriptor and fills proto3 defaults), then
    /// filled by `fill`.
    func message<T>(_ initialize: (UnsafeMutablePointer<T>?) -> Void,
                    _ fill: (inout T) -> Void) -> UnsafeMutablePointer<T> {
        let message = allocate(T.self, count: 1)
        initialize(message)
        fill(&message.pointee)
        return message
    }

    /// A C array of pointers, the shape protobuf-c uses for repeated messages, repeated
    /// strings and maps. Empty input gives `(0, nil)`, as protobuf-c's own init does.
    func pointers<Element, T>(_ elements: [Element],
                              _ convert: (Element) -> UnsafeMutablePointer<T>?)
        -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?) {
        if elements.isEmpty { return (0, nil) }
        let array = allocate(UnsafeMutablePointer<T>?.self, count: elements.count)
        for (index, element) in elements.enumerated() {
            array[index] = convert(element)
        }
        return (elements.count, array)
    }

    /// A `map<string, string>` field: one entry message per pair. Keys are sorted so
    /// that the same value always encodes to the same bytes.
    func map<Entry: CMapEntry>(_ dictionary: [String: String],
                               _ initialize: (UnsafeMutablePointer<Entry>?) -> Void)
        -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>?) {
        pointers(dictionary.sorted { $0.key < $1.key }) { pair in
            message(initialize) { entry in
                entry.key = string(pair.key)
                entry.value = string(pair.value)
            }
        }
    }

    /// This thread's arena, made on first use and released when the thread exits.
    fileprivate static let perThread = PerThread { CArena(blockSize: CArena.perThreadBlockSize) }
}

/// Runs `body` with an arena and frees (or makes reusable) everything it allocated when
/// `body` returns: this thread's arena, or a one-off one for an encode inside an encode.
func withCArena<Result, Failure: Error>(_ body: (CArena) throws(Failure) -> Result) throws(Failure) -> Result {
    let mine = CArena.perThread.get()
    let arena = mine.inUse ? CArena(blockSize: 0) : mine
    arena.inUse = true
    defer {
        arena.reset()
        arena.inUse = false
    }
    return try body(arena)
}
