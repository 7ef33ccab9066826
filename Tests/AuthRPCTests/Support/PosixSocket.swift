#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP socket, for clients that misbehave in ways a NIO client makes
/// hard to express: never reading, reading a few bytes at a time, seeing a reset.
final class PosixSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
        var isReset: Bool { code == ECONNRESET }
    }

    private let fd: Int32

    /// Connects to 127.0.0.1:`port`. `receiveBuffer` shrinks the kernel's receive buffer
    /// first, so that a client that never reads stops taking answers sooner.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", code: errno) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(call: "connect", code: code)
        }
    }

    private var closed = false

    deinit { if !closed { close(fd) } }

    /// Closes with a reset (RST) instead of a FIN: SO_LINGER with a zero timeout.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        closed = true
    }

    /// Sends all of `bytes`, blocking as needed.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(call: "send", code: errno) }
            sent += n
        }
    }

    /// Sends as much of `bytes` as the kernel takes within `seconds`, without blocking
    /// for longer; returns how many bytes went.
    func sendWhileAccepted(_ bytes: [UInt8], seconds: Double) -> Int {
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9 + seconds
        var sent = 0
        while sent < bytes.count {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 > end { break }
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n } else if errno != EAGAIN && errno != EWOULDBLOCK { break }
        }
        return sent
    }

    /// Reads up to `max` bytes; an empty array is EOF.
    func receive(max: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, max, 0) }
        guard n >= 0 else { throw Failure(call: "recv", code: errno) }
        return Array(buffer[..<n])
    }

    /// Reads everything until EOF, `chunk` bytes at a time; throws on a reset.
    func receiveUntilEOF(chunk: Int, timeoutSeconds: Int = 5) throws -> [UInt8] {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var all: [UInt8] = []
        while true {
            let piece = try receive(max: chunk)
            if piece.isEmpty { return all }
            all += piece
        }
    }
}
