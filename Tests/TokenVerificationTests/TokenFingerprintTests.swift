import Foundation
import Synchronization
import TokenVerification
import XCTest

/// How logs name a token without showing it (SPEC §9): the start of its SHA-256.
final class TokenFingerprintTests: XCTestCase {
    func testTokenFingerprintIsTheStartOfItsSHA256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        XCTAssertEqual(TokenFingerprint.of("abc"), "ba7816bf8f01")
        XCTAssertEqual(TokenFingerprint.of(""), "-")
    }

    /// Each thread hashes on its own context: the same token gets the same name everywhere.
    func testSameFingerprintOnEveryThread() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
        let expected = TokenFingerprint.of(token)
        XCTAssertEqual(expected.count, TokenFingerprint.length)
        XCTAssertNotEqual(TokenFingerprint.of(token + "x"), expected)
        let names = Mutex<Set<String>>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let name = TokenFingerprint.of(token)
            names.withLock { _ = $0.insert(name) }
        }
        XCTAssertEqual(names.withLock { $0 }, [expected])
    }
}
