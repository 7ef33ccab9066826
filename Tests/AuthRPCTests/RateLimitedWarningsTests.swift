@testable import AuthRPC
import Logging
import XCTest

/// A flood of the same warning costs a couple of lines a second, not a line each.
final class RateLimitedWarningsTests: XCTestCase {
    func testRepeatsAreCountedAndSummedUpOnce() async throws {
        let lines = LogCapture()
        let warnings = RateLimitedWarnings(logger: lines.logger(label: "test"), interval: .milliseconds(200),
                                           background: testBackground)
        for _ in 0..<1000 { warnings.warn("cognito calls failing", kind: "CognitoUnavailable") }
        warnings.warn("cognito calls failing", kind: "NotAuthorizedException")
        XCTAssertEqual(lines.all.count, 2, "one line per kind at first: \(lines.all)")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(lines.all.count, 3)
        let summary = lines.all.last ?? ""
        XCTAssertTrue(summary.contains("cognito calls failing (repeats not written)"), summary)
        XCTAssertTrue(summary.contains("repeated=999"), summary)
        XCTAssertTrue(summary.contains("kind=CognitoUnavailable"), summary)
        // A new window writes again.
        warnings.warn("cognito calls failing", kind: "CognitoUnavailable")
        XCTAssertEqual(lines.all.count, 4)
    }
}
