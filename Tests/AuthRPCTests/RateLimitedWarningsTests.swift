@testable import AuthRPC
import Logging
import NIOConcurrencyHelpers
import XCTest

/// A flood of the same warning costs a couple of lines a second, not a line each.
final class RateLimitedWarningsTests: XCTestCase {
    func testRepeatsAreCountedAndSummedUpOnce() async throws {
        let lines = LineCollector()
        let logger = Logger(label: "test") { _ in lines }
        let warnings = RateLimitedWarnings(logger: logger, interval: .milliseconds(200))
        for _ in 0..<1000 { warnings.warn("cognito calls failing", kind: "CognitoUnavailable") }
        warnings.warn("cognito calls failing", kind: "NotAuthorizedException")
        XCTAssertEqual(lines.messages, ["cognito calls failing", "cognito calls failing"], "one line per kind at first")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(lines.messages.count, 3)
        XCTAssertEqual(lines.messages.last, "cognito calls failing (repeats not written)")
        XCTAssertEqual(lines.metadata_.last?["repeated"], "999")
        // A new window writes again.
        warnings.warn("cognito calls failing", kind: "CognitoUnavailable")
        XCTAssertEqual(lines.messages.count, 4)
    }
}

private final class LineCollector: LogHandler, @unchecked Sendable {
    private let lock = NIOLock()
    private var entries: [(String, Logger.Metadata)] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        lock.withLock { entries.append(("\(message)", metadata ?? [:])) }
    }

    var messages: [String] { lock.withLock { entries.map(\.0) } }
    var metadata_: [Logger.Metadata] { lock.withLock { entries.map(\.1) } }
}
