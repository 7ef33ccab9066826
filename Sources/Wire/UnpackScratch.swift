#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CAuthRPCProto

/// Memory that protobuf-c unpacks into, reused by every decode on a thread.
///
/// `unpack` allocates the message, each submessage and a copy of each string, and
/// `free_unpacked` frees them right after `init(c:)` has copied what it needs: three or
/// four allocations per VerifyToken request, for memory that lives a few microseconds.
/// protobuf-c takes an allocator for exactly this; ours hands out a per-thread block
/// (bump allocation, 16-byte aligned) and frees nothing until the decode ends, when the
/// whole block is free again. What does not fit (a request larger than the block) is
/// allocated and freed as usual.
final class UnpackScratch {
    private let block: UnsafeMutableRawPointer
    private let blockSize: Int
    private var used = 0
    private var inUse = false
    /// The allocator protobuf-c calls; its `allocator_data` is this object (unretained:
    /// the thread's variable keeps it alive).
    private let allocator: UnsafeMutablePointer<ProtobufCAllocator>

    /// A request frame of the usual size (a VerifyToken carries a token of 1-2 KiB, up to
    /// the service's 16 KiB limit) unpacks within this.
    static let blockSize = 32 << 10

    private init(blockSize: Int) {
        self.blockSize = blockSize
        block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        allocator = .allocate(capacity: 1)
        allocator.initialize(to: ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<UnpackScratch>.fromOpaque(data!).takeUnretainedValue().allocate(size)
            },
            free: { data, pointer in
                Unmanaged<UnpackScratch>.fromOpaque(data!).takeUnretainedValue().release(pointer)
            },
            allocator_data: nil))
        allocator.pointee.allocator_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        allocator.deallocate()
        block.deallocate()
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let start = (used + 15) & ~15
        guard start + size <= blockSize else { return malloc(size) }
        used = start + size
        return block + start
    }

    private func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        if pointer >= block && pointer < block + blockSize { return }  // free again when the decode ends
        free(pointer)
    }

    private static let perThread = PerThread { UnpackScratch(blockSize: UnpackScratch.blockSize) }

    /// Runs `body` with the allocator to unpack with; everything it unpacked must have been
    /// freed (`free_unpacked` with the same allocator) and copied out when `body` returns.
    static func withAllocator<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<ProtobufCAllocator>?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let scratch = perThread.get()
        // A decode inside a decode (not done today) gets protobuf-c's own allocator.
        if scratch.inUse { return try body(nil) }
        scratch.inUse = true
        defer {
            scratch.used = 0
            scratch.inUse = false
        }
        return try body(scratch.allocator)
    }
}
