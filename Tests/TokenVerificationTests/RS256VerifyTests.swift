import Foundation
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import XCTest

/// `RSAPublicKey.verify` and the per-thread OpenSSL contexts behind it.
final class RS256VerifyTests: XCTestCase {
    func key(_ signer: DevTokenSigner) throws -> RSAPublicKey {
        let (n, e) = signer.publicNumbers()
        return try RSAPublicKey(modulus: n, exponent: e)
    }

    /// More keys than one thread keeps contexts for: every key still verifies its own
    /// signatures and only those, however the slots were reused in between.
    func testManyKeysOnOneThread() throws {
        let signers = try (0..<(RS256ThreadContext.slotCount + 3)).map { try DevTokenSigner(kid: "k\($0)") }
        let keys = try signers.map(key)
        let message = Array("header.payload".utf8)
        let signatures = signers.map { $0.signature(over: message) }
        for round in 0..<3 {
            for (i, key) in keys.enumerated() {
                XCTAssertTrue(key.verify(signature: signatures[i], message: message), "key \(i), round \(round)")
                XCTAssertFalse(key.verify(signature: signatures[(i + 1) % keys.count], message: message))
                XCTAssertFalse(key.verify(signature: signatures[i], message: message + [0x2E]))
            }
        }
        XCTAssertEqual(Set(keys.map(\.serial)).count, keys.count)
    }

    func testSignatureMustBeExactlyTheModulusLength() throws {
        let signer = TestKeys.idKey
        let key = try key(signer)
        XCTAssertEqual(key.signatureCount, 256)
        // A signature whose first byte is 0 is the same number without it: find one, and
        // check that only the full-length spelling is accepted.
        var found = false
        for i in 0..<4000 {
            let message = Array("message \(i)".utf8)
            let signature = signer.signature(over: message)
            XCTAssertTrue(key.verify(signature: signature, message: message))
            XCTAssertFalse(key.verify(signature: [0] + signature, message: message), "257 bytes")
            if signature[0] == 0 {
                XCTAssertFalse(key.verify(signature: Array(signature.dropFirst()), message: message), "255 bytes")
                found = true
                break
            }
        }
        XCTAssertTrue(found, "no signature with a leading zero byte in 4000 tries")
        XCTAssertFalse(key.verify(signature: [], message: Array("m".utf8)))
    }

    /// Threads that verify and exit free their contexts (ASan's leak check sees the rest).
    func testConcurrentThreads() throws {
        let signer = TestKeys.accessKey
        let key = try key(signer)
        let message = Array("a.b".utf8)
        let signature = signer.signature(over: message)
        let failures = Counter()
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                for _ in 0..<50 where !key.verify(signature: signature, message: message) { failures.increment() }
                done.leave()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(failures.value, 0)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
