import Foundation

/// The built `authrpc` executable run as a child process, as an operator would run it.
final class ServeProcess {
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()

    /// The `authrpc` binary swift test built beside the test bundle.
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0])
        while dir.pathExtension != "" || !FileManager.default.fileExists(atPath: dir.appendingPathComponent("authrpc").path) {
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return dir.appendingPathComponent("authrpc")
    }

    init(environment: [String: String], arguments: [String] = []) throws {
        port = try freePort()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--listen", "127.0.0.1:\(port)"] + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COGNITO_") && !$0.key.hasPrefix("AUTHRPC_") }
        // Several servers run at once in tests: none takes the default admin port
        // unless the test asks for an admin listener.
        env["AUTHRPC_ADMIN_LISTEN"] = ""
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    func terminate(signal: Int32 = SIGTERM) { kill(process.processIdentifier, signal) }

    /// Exit status, or nil if it is still running after the timeout.
    func waitForExit(timeout: Duration) async -> Int32? {
        let end = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var stderr: String {
        String(decoding: stderrPipe.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// A loopback port nobody listens on right now (bind to 0, read, close).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: addr.sin_port))
}
