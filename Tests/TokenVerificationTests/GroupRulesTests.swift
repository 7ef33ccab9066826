import TokenMinting
import TokenTestSupport
import TokenVerification
import XCTest

/// SPEC §6 CheckGroups rules over a verified token's `cognito:groups`, as the service
/// applies them after verifying (how the outcome is answered: AuthRPCTests'
/// `TokenMethodsTests`).
final class GroupRulesTests: VerifierTestCase {
    /// Cached, as the service verifies for CheckGroups.
    override var settings: TokenVerifier.Settings { testSettings(cacheEntries: 100) }

    /// Verifies an id token with `groups` (nil: no `cognito:groups` claim), then applies the rules.
    func check(groups: [String]?, allowed: [String] = [], required: [String] = [],
               prohibited: [String] = []) throws -> Result<[String], VerificationError> {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(groups: groups))
        let claims = try XCTUnwrap(verifier.verify(token).verifiedClaims, "the token must verify")
        return GroupRules(allowed: allowed, required: required, prohibited: prohibited).evaluate(userGroups: claims.groups)
    }

    func testAllowed() throws {
        XCTAssertEqual(try check(groups: ["admins", "Readers"], allowed: ["Readers", "writers"]), .success(["Readers"]))
        let no = try check(groups: ["admins"], allowed: ["Readers", "writers"]).failure
        XCTAssertEqual(no?.kind, .groupCheckFailed)
        XCTAssertTrue(no?.message.contains("allowed_groups") == true)
    }

    func testRequired() throws {
        XCTAssertEqual(try check(groups: ["admins", "Readers", "x"], required: ["admins", "Readers"]),
                       .success(["admins", "Readers"]))
        let no = try check(groups: ["admins"], required: ["admins", "Readers"]).failure
        XCTAssertEqual(no?.kind, .groupCheckFailed)
        XCTAssertTrue(no?.message.contains("required_groups") == true)
        XCTAssertTrue(no?.message.contains("Readers") == true)
    }

    func testProhibited() throws {
        XCTAssertEqual(try check(groups: ["admins"], prohibited: ["banned"]), .success([]))
        let no = try check(groups: ["admins", "banned"], prohibited: ["banned"]).failure
        XCTAssertEqual(no?.kind, .groupCheckFailed)
        XCTAssertTrue(no?.message.contains("prohibited_groups") == true)
    }

    func testCombined() throws {
        XCTAssertEqual(try check(groups: ["staff", "eu", "admins"], allowed: ["admins", "owners"], required: ["staff", "eu"],
                                 prohibited: ["suspended"]),
                       .success(["staff", "eu", "admins"]))
        let suspended = try check(groups: ["staff", "eu", "admins", "suspended"], allowed: ["admins"],
                                  required: ["staff"], prohibited: ["suspended"]).failure
        XCTAssertTrue(suspended?.message.contains("prohibited_groups") == true)
        let notAllowed = try check(groups: ["staff", "eu"], allowed: ["admins"], required: ["staff"]).failure
        XCTAssertTrue(notAllowed?.message.contains("allowed_groups") == true)
    }

    func testNoGroupsClaim() throws {
        XCTAssertEqual(try check(groups: nil, allowed: ["admins"]).failure?.kind, .groupCheckFailed)
        XCTAssertEqual(try check(groups: nil, prohibited: ["banned"]), .success([]))
    }

    func testCaseSensitive() throws {
        XCTAssertEqual(try check(groups: ["Admins"], allowed: ["admins"]).failure?.kind, .groupCheckFailed)
        XCTAssertEqual(try check(groups: ["Banned"], prohibited: ["banned"]), .success([]))
    }

    /// The matched groups come in the token's order, each once; a message names the
    /// caller's group, never the user's others.
    func testMatchedGroupsAndMessages() {
        let rules = GroupRules(allowed: ["b", "a"], required: ["a"])
        XCTAssertEqual(rules.evaluate(userGroups: ["a", "x", "b", "a"]), .success(["a", "b"]))
        let message = GroupRules(required: ["a"]).evaluate(userGroups: ["secret-group"]).failure?.message ?? ""
        XCTAssertFalse(message.contains("secret-group"), message)
        XCTAssertTrue(GroupRules().isEmpty)
        XCTAssertFalse(GroupRules(prohibited: ["x"]).isEmpty)
    }
}
