import NIOCore
import NIOEmbedded
import Wire

extension EmbeddedChannel {
    /// Every response frame the connection has written so far, in order.
    func readAnswers() throws -> [Response] {
        var out: [Response] = []
        while var buffer = try readOutbound(as: ByteBuffer.self) {
            while let length = buffer.readInteger(endianness: .big, as: UInt32.self) {
                out.append(try Response.decode(buffer.readSlice(length: Int(length))!))
            }
        }
        return out
    }
}
