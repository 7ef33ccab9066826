import NIOCore
@testable import Wire
import XCTest

/// `Response.writeFrame` writes an envelope with no body or a pre-encoded one itself
/// (`writeFrameDirectly`); `encodedBytes()` always packs through protobuf-c. The two must
/// give the same bytes for every such response.
final class DirectEncodingTests: XCTestCase {
    func testEnvelopesAreWrittenAsProtobufCPacksThem() throws {
        var claims = Claims()
        claims.sub = "3f1c-sub"; claims.groups = ["admins", ""]; claims.tokenUse = .access; claims.expiresAt = 1_700_000_000
        let encoded = try EncodedVerifyTokenResponse(VerifyTokenResponse(claims: claims))
        var generator = SystemRandomNumberGenerator()
        let texts = ["", "token signature does not verify", "ünïcödé ✓", String(repeating: "x", count: 300)]
        for _ in 0..<2_000 {
            let response = Response(
                id: [0, 1, 127, 128, UInt64.max, .random(in: 0...UInt64.max, using: &generator)].randomElement(using: &generator)!,
                status: Status.allCases.randomElement(using: &generator)!,
                message: texts.randomElement(using: &generator)!,
                errorType: ["", "BadSignature", "TokenExpired"].randomElement(using: &generator)!,
                retryAfterMs: [0, 1, 250, UInt32.max].randomElement(using: &generator)!,
                body: Bool.random(using: &generator) ? nil : .verifyTokenEncoded(encoded))
            var frame = ByteBuffer()
            XCTAssertTrue(try response.writeFrameDirectly(into: &frame))
            let packed = try response.encodedBytes()
            XCTAssertEqual(frame.readInteger(endianness: .big, as: UInt32.self), UInt32(packed.count))
            XCTAssertEqual(Array(frame.readableBytesView), packed, "\(response)")
        }
    }

    func testOtherBodiesAreLeftToProtobufC() throws {
        var frame = ByteBuffer()
        let response = Response(id: 1, body: .health(HealthResponse(version: "1")))
        XCTAssertFalse(try response.writeFrameDirectly(into: &frame))
        XCTAssertEqual(frame.readableBytes, 0)
        try response.writeFrame(into: &frame)
        XCTAssertEqual(frame.getBytes(at: 4, length: frame.readableBytes - 4), try response.encodedBytes())
    }

    func testANULInAStringIsRefusedAndNothingIsWritten() {
        var frame = ByteBuffer()
        let response = Response(id: 1, status: .internal, message: "cut\0here", errorType: "X")
        XCTAssertThrowsError(try response.writeFrame(into: &frame))
        XCTAssertThrowsError(try response.encodedBytes())
        XCTAssertEqual(frame.readableBytes, 0)
    }
}
