import Foundation
import XCTest

/// Certificates for one TLS test, in a temporary directory: the project's own
/// `scripts/dev-certs` (a CA, a server certificate for localhost/127.0.0.1, the gateway
/// and orders client certificates), and whatever odd ones the test makes with the
/// openssl CLI (another CA, an expired certificate, other names).
final class TestCerts: @unchecked Sendable {
    let dir: URL

    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("authrpc-tls-\(UUID().uuidString)")
        try Self.run([Self.repoRoot.appendingPathComponent("scripts/dev-certs").path, "--out", dir.path])
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ file: String) -> String { dir.appendingPathComponent(file).path }

    /// `NAME.pem` / `NAME.key`: a CA of its own, trusted by nobody.
    func makeCA(_ name: String) throws {
        try newKey(name)
        try Self.run(["openssl", "req", "-x509", "-new", "-key", path("\(name).key"), "-sha256", "-days", "30",
                      "-subj", "/CN=\(name)", "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign", "-out", path("\(name).pem")])
    }

    /// `NAME.pem` / `NAME.key` issued by `ca` (`ca.pem`/`ca.key` from dev-certs by default).
    /// `san` like `DNS:x,IP:127.0.0.1` or nil for none; negative `days` is already expired.
    func makeLeaf(_ name: String, cn: String, san: String?, usage: String = "serverAuth,clientAuth",
                  days: Int = 30, ca: String = "ca") throws {
        try newKey(name)
        var ext = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=\(usage)\n"
        if let san { ext += "subjectAltName=\(san)\n" }
        let extFile = path("\(name).ext")
        try ext.write(toFile: extFile, atomically: true, encoding: .utf8)
        try Self.run(["openssl", "req", "-new", "-key", path("\(name).key"), "-subj", "/CN=\(cn)", "-out", path("\(name).csr")])
        try Self.run(["openssl", "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"),
                      "-CAkey", path("\(ca).key"), "-CAcreateserial", "-CAserial", path("\(ca).srl"), "-sha256",
                      "-days", "\(days)", "-extfile", extFile, "-out", path("\(name).pem")])
    }

    /// Copies `from.pem`/`from.key` over `to.pem`/`to.key` the way a renewal tool would:
    /// write beside, then rename into place.
    func replace(_ to: String, with from: String) throws {
        for suffix in ["pem", "key"] {
            let staged = path("\(to).\(suffix).new")
            try? FileManager.default.removeItem(atPath: staged)
            try FileManager.default.copyItem(atPath: path("\(from).\(suffix)"), toPath: staged)
            guard rename(staged, path("\(to).\(suffix)")) == 0 else {
                throw CommandFailed(description: "rename \(staged) failed: errno \(errno)")
            }
        }
    }

    private func newKey(_ name: String) throws {
        try Self.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-out", path("\(name).key")])
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
        }
        return text
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }
}
