import TokenMinting
import TokenTestSupport
import TokenVerification
import XCTest

/// A test case with a verifier ready: the test pool's id and access keys in a `file://`
/// JWKS, a started registry, the fake clock, and `settings` (override to change them).
class VerifierTestCase: XCTestCase {
    let clock = FakeClock()
    var file: JWKSFile!
    var registry: JWKSRegistry!
    var verifier: TokenVerifier!

    var settings: TokenVerifier.Settings { testSettings() }

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        registry = await startedRegistry(jwksURL: file.url, clock: clock)
        verifier = TokenVerifier(settings: settings, keys: registry, clock: clock.clock)
    }

    override func tearDown() async throws {
        await registry?.shutdown()
        file?.delete()
    }
}
