import CAuthRPCProto
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Reading protobuf-c structs back into Swift values. The structs come from `*_unpack`
// and are freed by the caller right after conversion, so every helper here copies:
// nothing returned may point into C memory.

/// A protobuf-c string field as a Swift string.
///
/// Unpacked proto3 strings are never NULL (empty ones point at `protobuf_c_empty_string`),
/// but NULL is read as "" anyway so a hand-built struct cannot crash us. Invalid UTF-8
/// from a peer is repaired (U+FFFD) rather than rejected: the strings are names, codes
/// and tokens that later checks judge on their own terms. A string sent with a NUL byte
/// in it ends at that byte, since protobuf-c hands strings over NUL-terminated.
func swiftString(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
}

/// A protobuf-c string field holding a token (`TokenBytes`), copied like `swiftString`.
func tokenBytes(_ pointer: UnsafePointer<CChar>?) -> TokenBytes {
    guard let pointer else { return TokenBytes() }
    return TokenBytes(buffer: ByteBuffer(bytes: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))))
}

/// A `repeated string` field (`n_x`, `x`).
func swiftStrings(_ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    swiftMessages(count, pointer) { swiftString($0) }
}

/// A repeated field held as a C array of pointers; NULL elements (never produced by
/// unpack) are skipped rather than dereferenced.
func swiftMessages<T, R>(_ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?,
                         _ convert: (UnsafeMutablePointer<T>) -> R) -> [R] {
    guard let pointer, count > 0 else { return [] }
    return UnsafeBufferPointer(start: pointer, count: count).compactMap { $0.map(convert) }
}

/// A `map<string, string>` field. On a repeated key the last entry wins, as protobuf
/// specifies for maps.
func swiftMap<Entry: CMapEntry>(_ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>?) -> [String: String] {
    var dictionary: [String: String] = [:]
    dictionary.reserveCapacity(count)
    for (key, value) in swiftMessages(count, pointer, { (swiftString($0.pointee.key), swiftString($0.pointee.value)) }) {
        dictionary[key] = value
    }
    return dictionary
}

/// protobuf-c generates one entry struct per `map<string, string>` field; they all have
/// the same `key`/`value` shape, so one conversion serves them all (the conformances are
/// generated, Generated/Codec.swift).
protocol CMapEntry {
    var key: UnsafeMutablePointer<CChar>! { get set }
    var value: UnsafeMutablePointer<CChar>! { get set }
}

/// proto3 `bool` travels as `protobuf_c_boolean`, a C int.
extension Bool {
    init(cBoolean value: protobuf_c_boolean) { self = value != 0 }
    var cBoolean: protobuf_c_boolean { self ? 1 : 0 }
}
