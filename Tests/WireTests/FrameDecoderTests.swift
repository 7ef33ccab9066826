import NIOCore
import NIOEmbedded
import Wire
import XCTest

/// SPEC §3 framing, on an EmbeddedChannel: bytes in, frames out, no sockets.
final class FrameDecoderTests: XCTestCase {
    private func makeChannel(max: Int = 65536) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: max)))
        return channel
    }

    private func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + payload
    }

    private func readFrames(_ channel: EmbeddedChannel) throws -> [InboundFrame] {
        var out: [InboundFrame] = []
        while let f = try channel.readInbound(as: InboundFrame.self) { out.append(f) }
        return out
    }

    func testSplitAtEveryByteBoundary() throws {
        let payloads: [[UInt8]] = [Array("hello".utf8), [], Array(repeating: 7, count: 300)]
        let stream = payloads.flatMap(frame)
        for cut in 0...stream.count {
            let channel = try makeChannel()
            try channel.writeInbound(ByteBuffer(bytes: stream[..<cut]))
            try channel.writeInbound(ByteBuffer(bytes: stream[cut...]))
            let got = try readFrames(channel)
            XCTAssertEqual(got, payloads.map { .frame(ByteBuffer(bytes: $0)) }, "cut at \(cut)")
            _ = try channel.finish()
        }
    }

    func testOneByteAtATime() throws {
        let channel = try makeChannel()
        for byte in frame(Array("abc".utf8)) + frame([1, 2]) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        XCTAssertEqual(try readFrames(channel), [.frame(ByteBuffer(bytes: Array("abc".utf8))), .frame(ByteBuffer(bytes: [1, 2]))])
        _ = try channel.finish()
    }

    func testThousandFramesInOneBuffer() throws {
        let channel = try makeChannel()
        var bytes: [UInt8] = []
        for i in 0..<1000 { bytes += frame(Array("frame-\(i)".utf8)) }
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        let got = try readFrames(channel)
        XCTAssertEqual(got.count, 1000)
        XCTAssertEqual(got[999], .frame(ByteBuffer(string: "frame-999")))
        _ = try channel.finish()
    }

    func testZeroLengthFrame() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: frame([])))
        XCTAssertEqual(try readFrames(channel), [.frame(ByteBuffer())])
        _ = try channel.finish()
    }

    func testFrameAtExactlyTheLimitIsAccepted() throws {
        let channel = try makeChannel(max: 16)
        try channel.writeInbound(ByteBuffer(bytes: frame(Array(repeating: 1, count: 16))))
        XCTAssertEqual(try readFrames(channel).count, 1)
        _ = try channel.finish()
    }

    /// The limit is judged from the 4 length bytes alone; nothing of the body is needed or kept.
    func testOversizeLengthIsReportedBeforeTheBody() throws {
        let channel = try makeChannel(max: 16)
        try channel.writeInbound(ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff]))
        XCTAssertEqual(try readFrames(channel), [.tooLarge(declaredLength: UInt32.max)])
        // Whatever follows is discarded: the stream is out of step.
        try channel.writeInbound(ByteBuffer(bytes: frame([1, 2, 3])))
        XCTAssertEqual(try readFrames(channel), [])
        _ = try channel.finish()
    }

    func testOversizeByOneByte() throws {
        let channel = try makeChannel(max: 16)
        try channel.writeInbound(ByteBuffer(bytes: frame(Array(repeating: 1, count: 17))))
        XCTAssertEqual(try readFrames(channel), [.tooLarge(declaredLength: 17)])
        _ = try channel.finish()
    }

    func testGarbageBytesAreJustFramesOfGarbage() throws {
        // Framing cannot tell garbage from a message; a small "length" frames random bytes.
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 3, 0xde, 0xad, 0xbe]))
        XCTAssertEqual(try readFrames(channel), [.frame(ByteBuffer(bytes: [0xde, 0xad, 0xbe]))])
        _ = try channel.finish()
    }

    func testPartialFrameAtEOFIsDropped() throws {
        let channel = try makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 9, 1, 2]))
        XCTAssertEqual(try readFrames(channel), [])
        XCTAssertNoThrow(try channel.finish())
    }
}

/// The server's pull-side framing: the same rules as `FrameDecoder`, one frame per ask.
final class FrameReaderTests: XCTestCase {
    private func frame(_ body: [UInt8]) -> [UInt8] {
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + body
    }

    func testFramesComeOutOneAtATimeAcrossSplitReads() {
        let bytes = frame([1, 2, 3]) + frame([]) + frame(Array(repeating: 7, count: 300))
        for split in [1, 2, 3, 5, 64, bytes.count] {
            var reader = FrameReader(maxFrameBytes: 1024)
            var bodies: [[UInt8]] = []
            var at = 0
            while at < bytes.count {
                reader.append(ByteBuffer(bytes: bytes[at..<min(at + split, bytes.count)]))
                at += split
                // Take at most one frame per read, so bytes are appended while frames wait.
                if case .frame(let body)? = reader.next() { bodies.append(Array(body.readableBytesView)) }
            }
            while case .frame(let body)? = reader.next() { bodies.append(Array(body.readableBytesView)) }
            XCTAssertEqual(bodies, [[1, 2, 3], [], Array(repeating: 7, count: 300)], "reads of \(split)")
            XCTAssertFalse(reader.hasFrame)
            XCTAssertEqual(reader.bufferedBytes, 0)
        }
    }

    func testPartialFrameIsNotAFrame() {
        var reader = FrameReader(maxFrameBytes: 1024)
        reader.append(ByteBuffer(bytes: frame([9, 9, 9]).dropLast()))
        XCTAssertFalse(reader.hasFrame)
        XCTAssertNil(reader.next())
        reader.append(ByteBuffer(bytes: [9]))
        XCTAssertTrue(reader.hasFrame)
        XCTAssertEqual(reader.next(), .frame(ByteBuffer(bytes: [9, 9, 9])))
    }

    func testOversizeLengthIsReportedOnceThenEverythingIsDropped() {
        var reader = FrameReader(maxFrameBytes: 16)
        reader.append(ByteBuffer(bytes: frame([1]) + [0, 0, 0, 17]))
        XCTAssertEqual(reader.next(), .frame(ByteBuffer(bytes: [1])))
        XCTAssertTrue(reader.hasFrame)
        XCTAssertEqual(reader.next(), .tooLarge(declaredLength: 17))
        reader.append(ByteBuffer(bytes: frame([2])))
        XCTAssertNil(reader.next())
        XCTAssertEqual(reader.bufferedBytes, 0)
    }
}
