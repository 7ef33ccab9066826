import NIOCore
@testable import Wire
import XCTest

/// `Request.decode` of a `ByteBuffer` reads VerifyToken and CheckGroups requests in place
/// (`directlyDecoded`); decoding the same bytes as an `UnsafeRawBufferPointer` always goes
/// through protobuf-c. Every frame here must give the same `Request`, or the same error,
/// both ways.
final class DirectDecodingTests: XCTestCase {
    private static let token = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"

    private static var requests: [Request] { [
        Request(id: 7, body: .verifyToken(VerifyTokenRequest(token: token))),
        Request(id: UInt64.max, deadlineMs: UInt32.max, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                body: .verifyToken(VerifyTokenRequest(token: token, tokenUse: .access, requiredScopes: ["openid", "prof ïle", ""]))),
        Request(id: 1, body: .verifyToken(VerifyTokenRequest())),
        Request(id: 2, body: .checkGroups(CheckGroupsRequest(token: token, tokenUse: .id, allowedGroups: ["a", "b"],
                                                             requiredGroups: ["c"], prohibitedGroups: ["🚫"]))),
        Request(id: 3, body: .checkGroups(CheckGroupsRequest(token: token))),
        Request(id: 4, body: .health(HealthRequest())),
        Request(id: 5, deadlineMs: 30, body: .signOut(SignOutRequest(accessToken: token))),
    ] }

    func testTheHotPathsRequestsAreReadInPlace() throws {
        for request in Self.requests {
            let bytes = try request.encodedBytes()
            let direct = Request.directlyDecoded(ByteBuffer(bytes: bytes))
            switch request.body {
            case .verifyToken?, .checkGroups?:
                // A 0x00 byte (here: an empty string or body's length) is left to protobuf-c.
                if bytes.contains(0) { XCTAssertNil(direct) } else { XCTAssertEqual(direct, request, "read in place") }
            default:
                XCTAssertNil(direct, "left to protobuf-c")
            }
            let frame = ByteBuffer(bytes: bytes)
            XCTAssertEqual(try Request.decode(frame), request)
        }
    }

    func testTheTokenIsAViewOfTheFrame() throws {
        var frame = ByteBufferAllocator().buffer(capacity: 256)
        frame.writeString("prefix")  // the frame starts past the buffer's first byte
        frame.moveReaderIndex(forwardBy: 6)
        frame.writeBytes(try Request(id: 9, body: .verifyToken(VerifyTokenRequest(token: Self.token))).encodedBytes())
        guard case .verifyToken(let body)? = try Request.decode(frame).body else { return XCTFail("not a VerifyToken") }
        XCTAssertEqual(body.token.string, Self.token)
        let shared = frame.withUnsafeReadableBytes { whole in
            body.token.withUnsafeBytes { token in
                token.baseAddress! >= whole.baseAddress! && token.baseAddress! + token.count <= whole.baseAddress! + whole.count
            }
        }
        XCTAssertTrue(shared, "the token points into the frame's storage")
    }

    func testADetachedTokenKeepsNothingOfTheFrame() throws {
        let frame = ByteBuffer(bytes: try Request(id: 9, body: .verifyToken(VerifyTokenRequest(token: Self.token))).encodedBytes())
        guard case .verifyToken(let body)? = try Request.decode(frame).body else { return XCTFail("not a VerifyToken") }
        let detached = body.token.detached
        XCTAssertEqual(detached, body.token)
        XCTAssertEqual(detached.buffer.capacity, Self.token.utf8.count, "storage of its own, the token's size")
        let apart = frame.withUnsafeReadableBytes { whole in
            detached.withUnsafeBytes { $0.baseAddress! < whole.baseAddress! || $0.baseAddress! >= whole.baseAddress! + whole.count }
        }
        XCTAssertTrue(apart)
    }

    /// Shapes the direct reader leaves to protobuf-c, built by hand: a repeated singular
    /// field, an unknown field, a wrong wire type, a NUL, a oneof member twice, an enum
    /// past int32, a deadline past uint32, a truncated body.
    func testUnusualShapesDecodeAsProtobufCDecodesThem() {
        let token = Array(Self.token.utf8)
        func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { key(number, 2) + varint(UInt64(bytes.count)) + bytes }
        func key(_ number: Int, _ type: Int) -> [UInt8] { varint(UInt64(number << 3 | type)) }
        let body = field(1, token)
        let cases: [(String, [UInt8])] = [
            ("token twice", key(1, 0) + [5] + field(20, body + field(1, Array("x.y.z".utf8)))),
            ("id twice", key(1, 0) + [5] + key(1, 0) + [6] + field(20, body)),
            ("unknown envelope field", field(20, body) + key(9, 0) + [1]),
            ("unknown body field", field(20, body + key(7, 0) + [1])),
            ("token as a varint", field(20, key(1, 0) + [1])),
            ("NUL in the token", field(20, field(1, token + [0] + token))),
            ("body twice", field(20, body) + field(20, key(2, 0) + [2])),
            ("both bodies", field(20, body) + field(21, body)),
            ("token_use past int32", field(20, body + key(2, 0) + varint(UInt64(Int32.max) + 1))),
            ("negative token_use", field(20, body + key(2, 0) + varint(UInt64(bitPattern: -1)))),
            ("unknown token_use", field(20, body + key(2, 0) + [9])),
            ("deadline past uint32", key(2, 0) + varint(UInt64(UInt32.max) + 1) + field(20, body)),
            ("truncated body", Array(field(20, body).dropLast(3))),
            ("no body", key(1, 0) + [5]),
            ("empty body", field(20, [])),
            ("fixed64 id", key(1, 1) + Array(repeating: 1, count: 8) + field(20, body)),
        ]
        for (name, bytes) in cases {
            XCTAssertEqual(Outcome(ByteBuffer(bytes: bytes)), Outcome(bytes), name)
        }
    }

    /// Random mutations of valid frames: whatever a byte flip, a cut or an insertion makes
    /// of them, both paths agree.
    func testMutatedFramesDecodeTheSameBothWays() throws {
        var generator = SystemRandomNumberGenerator()
        let seeds = try Self.requests.map { try $0.encodedBytes() }
        var readInPlace = 0
        for _ in 0..<20_000 {
            var bytes = seeds.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &generator)] = .random(in: 0...255, using: &generator)
                case 1 where !bytes.isEmpty: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &generator)...)
                case 2: bytes.insert(.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                default: if let at = bytes.indices.randomElement(using: &generator) { bytes[at] ^= 0x80 }
                }
            }
            let buffer = ByteBuffer(bytes: bytes)
            if Request.directlyDecoded(buffer) != nil { readInPlace += 1 }
            XCTAssertEqual(Outcome(buffer), Outcome(bytes), "bytes \(bytes)")
        }
        XCTAssertGreaterThan(readInPlace, 1_000, "the mutations reach the direct reader")
    }

    /// A decode's result, comparable: the request, or the error's text.
    private enum Outcome: Equatable {
        case request(Request)
        case error(String)

        init(_ buffer: ByteBuffer) {
            do { self = .request(try Request.decode(buffer)) } catch { self = .error("\(error)") }
        }

        init(_ bytes: [UInt8]) {
            do { self = .request(try bytes.withUnsafeBytes { bytes throws(WireError) in try Request.decode(bytes) }) } catch {
                self = .error("\(error)")
            }
        }
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }
}
