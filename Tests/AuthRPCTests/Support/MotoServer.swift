import Foundation
import XCTest

/// A fresh moto Cognito emulator for tests: `scripts/dev_cognito.py serve` on a
/// free loopback port, provisioned (pool `authrpc-dev`, client without secret,
/// groups, confirmed user demo/DemoPassw0rd in admins). See docs/DEV_COGNITO.md.
final class MotoServer: @unchecked Sendable {
    let region: String
    let poolID: String
    let clientID: String
    /// Ends in `/`.
    let endpoint: String
    private let process: Process
    private let directory: URL

    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("scripts/dev_cognito.py").path

    /// Spawns moto and waits (up to `timeout`) for the env file it writes once provisioned.
    init(timeout: TimeInterval = 60) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("authrpc-moto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let envFile = directory.appendingPathComponent("cognito.env")
        let stderrFile = directory.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "serve", "--port", "0", "--quiet", "--exit-with-parent",
                             "--env-file", envFile.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()

        let deadline = Date().addingTimeInterval(timeout)
        var values: [String: String] = [:]
        while values["COGNITO_ENDPOINT"] == nil {
            if !process.isRunning {
                let reason = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
                throw MotoError.exited(status: process.terminationStatus, stderr: reason)
            }
            if Date() > deadline {
                process.terminate()
                throw MotoError.timedOut
            }
            if let text = try? String(contentsOf: envFile, encoding: .utf8) { values = Self.parse(text) }
            if values["COGNITO_ENDPOINT"] == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        region = values["COGNITO_REGION"] ?? "us-east-1"
        poolID = values["COGNITO_USER_POOL_ID"] ?? ""
        clientID = values["COGNITO_CLIENT_ID"] ?? ""
        endpoint = values["COGNITO_ENDPOINT"]!
    }

    /// SIGTERM, then SIGKILL if it has not gone within 5 s. Polls rather than
    /// `waitUntilExit`, which can wait forever when called from an async context.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// `dev_cognito.py admin <args>`: its `KEY=value` lines, or a thrown error.
    @discardableResult
    func admin(_ arguments: String...) throws -> [String: String] {
        let admin = Process()
        admin.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        admin.arguments = ["python3", Self.script, "admin", "--endpoint", endpoint, "--pool-id", poolID,
                           "--region", region] + arguments
        let out = Pipe(), err = Pipe()
        admin.standardOutput = out
        admin.standardError = err
        admin.standardInput = FileHandle.nullDevice
        try admin.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        admin.waitUntilExit()
        guard admin.terminationStatus == 0 else {
            throw MotoError.adminFailed(arguments.first ?? "", String(decoding: output + errors, as: UTF8.self))
        }
        return Self.parse(String(decoding: output, as: UTF8.self))
    }

    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }

    enum MotoError: Error {
        case exited(status: Int32, stderr: String)
        case timedOut
        case adminFailed(String, String)
    }
}
