// libFuzzer target `frame` (docs/FUZZING.md): bytes from a TCP peer, through the SPEC §3
// frame decoder and the SPEC §4 message decoders.
//
// Checks, per input:
// - `FrameDecoder` in a real `ByteToMessageHandler`, and the server's `FrameReader`, yield
//   exactly the frames a plain reference reading of the bytes finds, whether the bytes arrive in one read or in
//   small pieces;
// - every frame decodes as a `Request` (and as a `Response`, which the Swift client
//   decodes) the same way from a `ByteBuffer` and from raw bytes;
// - what decoded re-encodes, and decodes again to the same value; `writeFrame` writes
//   the length and then exactly the `encodedBytes`.
import FuzzSupport
import NIOCore
import NIOEmbedded
import Wire

@main enum Main { static func main() { runLibFuzzer(fuzzFrame) } }

let maxFrameBytes = 65536
let readSizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let expected = referenceFrames(input)
    let whole = decodedFrames(input, readSizes: [max(size, 1)])
    check(whole == expected, "one read: \(whole.count) frames, reference \(expected.count)")
    // Byte-split delivery: growing pieces (1, 2, 3, 5, 8, …) starting at a size the input
    // picks, so lengths and bodies get cut at many places without a read per byte.
    let sizes = Array(readSizes[(size % readSizes.count)...] + readSizes[..<(size % readSizes.count)])
    let split = decodedFrames(input, readSizes: sizes)
    check(split == expected, "reads of \(sizes) bytes: \(split.count) frames, reference \(expected.count)")
    // The server's pull reader, fed the same pieces, taking frames between reads.
    let pulled = pulledFrames(input, readSizes: sizes)
    check(pulled == expected, "FrameReader, reads of \(sizes) bytes: \(pulled.count) frames, reference \(expected.count)")

    for case .frame(let frame) in whole {
        roundTrip(frame, as: Request.self)
        roundTrip(frame, as: Response.self)
    }
    return 0
}

/// SPEC §3 read the plain way: length, body, repeat; an oversize length ends the stream.
func referenceFrames(_ input: UnsafeBufferPointer<UInt8>) -> [InboundFrame] {
    var frames: [InboundFrame] = []
    var at = 0
    while input.count - at >= 4 {
        let length = input[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int(length) <= maxFrameBytes else {
            frames.append(.tooLarge(declaredLength: length))
            break
        }
        guard input.count - at - 4 >= Int(length) else { break }
        frames.append(.frame(ByteBuffer(bytes: input[(at + 4)..<(at + 4 + Int(length))])))
        at += 4 + Int(length)
    }
    return frames
}

/// `FrameReader` (what the server uses), fed reads of `readSizes` bytes in turn (cycling);
/// after each read it takes what frames it has, but only every other time all of them,
/// so bytes are appended while frames still wait too.
func pulledFrames(_ input: UnsafeBufferPointer<UInt8>, readSizes: [Int]) -> [InboundFrame] {
    var reader = FrameReader(maxFrameBytes: maxFrameBytes)
    var frames: [InboundFrame] = []
    var at = 0
    var read = 0
    repeat {
        let end = min(at + readSizes[read % readSizes.count], input.count)
        reader.append(ByteBuffer(bytes: input[at..<end]))
        read += 1
        while let frame = reader.next() {
            frames.append(frame)
            if read % 2 == 0 { break }
        }
        at = end
    } while at < input.count
    while let frame = reader.next() { frames.append(frame) }
    check(!reader.hasFrame, "FrameReader says it has a frame after giving them all")
    return frames
}

/// The production decoder, fed reads of `readSizes` bytes in turn (cycling), then closed.
func decodedFrames(_ input: UnsafeBufferPointer<UInt8>, readSizes: [Int]) -> [InboundFrame] {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
    var frames: [InboundFrame] = []
    var at = 0
    var read = 0
    repeat {
        let end = min(at + readSizes[read % readSizes.count], input.count)
        read += 1
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: input[at..<end]))
            while let frame = try channel.readInbound(as: InboundFrame.self) { frames.append(frame) }
        } catch {
            fatalError("FrameDecoder threw: \(error)")
        }
        at = end
    } while at < input.count
    do {
        _ = try channel.finish()
    } catch {
        fatalError("closing the channel threw: \(error)")
    }
    return frames
}

/// A message type that travels alone in a frame. The requirements are declared `throws`
/// so the conformances below hold whether or not the codec's encoders throw.
protocol RootMessage: Equatable {
    static func decode(_ buffer: ByteBuffer) throws(WireError) -> Self
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Self
    func encodedBytes() throws -> [UInt8]
    func writeFrame(into buffer: inout ByteBuffer) throws
    /// What survives an encode: parts this build cannot re-create are dropped.
    var reencodable: Self { get }
}

extension Request: RootMessage {
    var reencodable: Request {
        var copy = self
        if case .unrecognized? = body { copy.body = nil }  // "Encoding it writes no body."
        return copy
    }
}

extension Response: RootMessage {
    var reencodable: Response { self }
}

func roundTrip<Message: RootMessage>(_ frame: ByteBuffer, as _: Message.Type) {
    let fromBuffer = Result { () throws(WireError) in try Message.decode(frame) }
    let fromBytes = frame.withUnsafeReadableBytes { bytes in Result { () throws(WireError) in try Message.decode(bytes) } }
    check(fromBuffer == fromBytes, "\(Message.self): ByteBuffer and raw-bytes decodes differ")
    guard case .success(let message) = fromBuffer else { return }

    // An encoder may refuse what it cannot carry (it says so by throwing); it must not
    // produce bytes that decode to something else.
    guard let bytes = try? message.encodedBytes() else { return }
    let again = bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try Message.decode(raw) } }
    check(again == .success(message.reencodable),
          "\(Message.self) round trip changed the message:\n  first  \(message)\n  second \(again)")

    var framed = ByteBuffer()
    do {
        try message.writeFrame(into: &framed)
    } catch {
        fatalError("\(Message.self): encodedBytes succeeded but writeFrame threw \(error)")
    }
    check(framed.readInteger(as: UInt32.self) == UInt32(bytes.count) && framed.readableBytesView.elementsEqual(bytes),
          "\(Message.self): writeFrame wrote other bytes than a length and encodedBytes")
}
