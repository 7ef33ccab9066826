import CAuthRPCProto
import NIOCore

/// The generated protobuf-c entry points of a message that travels alone in a frame
/// (SPEC §3): `Request` and `Response`, and `VerifyTokenResponse`, which is packed on its
/// own for `EncodedVerifyTokenResponse`. Naming them once lets unpack/free and size/pack
/// be wrapped once, below, instead of once per message; the conformances are generated
/// (Generated/Codec.swift).
protocol ProtobufCRoot {
    /// The generated descriptor, for `WireScan`.
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// `allocator`: where protobuf-c takes the memory of the unpacked tree (nil: malloc);
    /// `freeUnpacked` must be given the same one.
    static func unpack(_ bytes: UnsafeRawBufferPointer, allocator: UnsafeMutablePointer<ProtobufCAllocator>?)
        -> UnsafeMutablePointer<Self>?
    static func freeUnpacked(_ message: UnsafeMutablePointer<Self>, allocator: UnsafeMutablePointer<ProtobufCAllocator>?)
    static func packedSize(_ message: UnsafePointer<Self>) -> Int
    static func pack(_ message: UnsafePointer<Self>, into out: UnsafeMutablePointer<UInt8>) -> Int
}

/// The one place C messages meet bytes. Callers pass closures that convert between the
/// C struct and a Swift value; no C pointer outlives a call here.
enum ProtobufC {
    /// Unpacks `bytes`, converts, and frees the unpacked tree exactly once. `WireScan`
    /// looks first, so that a string holding U+0000 is refused rather than cut short, and
    /// a oneof member sent twice is merged as protobuf specifies rather than replaced.
    static func decode<C: ProtobufCRoot, Value>(_ bytes: UnsafeRawBufferPointer, as type: C.Type,
                                                _ convert: (C) -> Value) throws(WireError) -> Value {
        switch try WireScan.check(bytes, C.descriptor) {
        case .asIs:
            return try unpack(bytes, as: type, convert)
        case .merged(let merged):
            let result = merged.withUnsafeBytes { bytes in
                Result { () throws(WireError) in try unpack(bytes, as: type, convert) }
            }
            return try result.get()
        }
    }

    /// The unpacked tree lives in this thread's `UnpackScratch` (no allocation for a frame
    /// of ordinary size) for exactly as long as `convert` copies out of it.
    private static func unpack<C: ProtobufCRoot, Value>(_ bytes: UnsafeRawBufferPointer, as _: C.Type,
                                                        _ convert: (C) -> Value) throws(WireError) -> Value {
        try UnpackScratch.withAllocator { allocator throws(WireError) in
            guard let message = C.unpack(bytes, allocator: allocator) else { throw .malformed }
            defer { C.freeUnpacked(message, allocator: allocator) }
            return convert(message.pointee)
        }
    }

    /// The address of a message type's generated descriptor, as its `__init` records it
    /// (the C global is imported as a value, which would be a copy).
    static func descriptor<C>(of _: C.Type, _ initialize: (UnsafeMutablePointer<C>?) -> Void)
        -> UnsafePointer<ProtobufCMessageDescriptor> {
        let message = UnsafeMutablePointer<C>.allocate(capacity: 1)
        defer { message.deallocate() }
        initialize(message)
        return message.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { $0.pointee.descriptor }
    }

    /// Decodes a buffer's readable bytes in place, leaving its reader index alone.
    static func decode<C: ProtobufCRoot, Value>(_ buffer: ByteBuffer, as type: C.Type,
                                                _ convert: (C) -> Value) throws(WireError) -> Value {
        // `withUnsafeReadableBytes` only rethrows untyped errors; carry ours out in a Result.
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(WireError) in try decode(bytes, as: type, convert) }
        }
        return try result.get()
    }

    /// The packed message, then `trailer` (already-encoded fields, see `EncodedVerifyTokenResponse`).
    static func encodedBytes<C: ProtobufCRoot>(_ message: UnsafePointer<C>, appending trailer: [UInt8] = []) -> [UInt8] {
        let size = C.packedSize(message)
        return [UInt8](unsafeUninitializedCapacity: size + trailer.count) { out, count in
            count = size == 0 ? 0 : C.pack(message, into: out.baseAddress!)
            precondition(count == size, "protobuf-c packed a different size than it announced")
            for byte in trailer { out[count] = byte; count += 1 }
        }
    }

    /// The message as one length-delimited field: `tag`, the packed size as a varint,
    /// then the message packed straight after them, all in one allocation.
    static func encodedField<C: ProtobufCRoot>(_ message: UnsafePointer<C>, tag: [UInt8]) -> [UInt8] {
        let size = C.packedSize(message)
        var varint: [UInt8] = []
        var rest = size
        while rest >= 0x80 {
            varint.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        varint.append(UInt8(rest))
        let head = tag + varint
        return [UInt8](unsafeUninitializedCapacity: head.count + size) { out, count in
            for (i, byte) in head.enumerated() { out[i] = byte }
            let packed = size == 0 ? 0 : C.pack(message, into: out.baseAddress! + head.count)
            precondition(packed == size, "protobuf-c packed a different size than it announced")
            count = head.count + size
        }
    }

    /// SPEC §3: a 4-byte big-endian length, then the message packed straight into the
    /// buffer's own storage, so a response is serialized once and never copied.
    static func writeFrame<C: ProtobufCRoot>(_ message: UnsafePointer<C>, appending trailer: [UInt8] = [],
                                             into buffer: inout ByteBuffer) {
        let size = C.packedSize(message)
        guard let length = UInt32(exactly: size + trailer.count) else {
            preconditionFailure("a \(size)-byte message cannot be framed with a 32-bit length")
        }
        buffer.writeInteger(length, endianness: .big)
        if size > 0 {
            let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                C.pack(message, into: out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            precondition(written == size, "protobuf-c packed a different size than it announced")
        }
        buffer.writeBytes(trailer)
    }
}
