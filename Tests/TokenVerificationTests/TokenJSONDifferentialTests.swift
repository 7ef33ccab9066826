import Foundation
@testable import TokenVerification
import XCTest

/// The token payload reader (`JSONReader` through `TokenClaims`) against a reference
/// built on Python's `json` module: `scripts/json_differential.py` generates thousands of
/// payloads — Cognito-shaped claim sets and mutations of them (bad UTF-8, bad escapes,
/// lone surrogates, duplicate keys, depth, numbers of every spelling, …) — and states, for
/// each, whether the documented strict rules accept it and every claim value. Every
/// verdict must match, byte for byte.
final class TokenJSONDifferentialTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("scripts/json_differential.py").path

    func testAgreesWithPythonReference() throws {
        try runDifferential(seed: 20_260_601, count: 3000)
    }

    func testAgreesWithPythonReferenceSecondSeed() throws {
        try runDifferential(seed: 7, count: 2000)
    }

    // MARK: the cases

    struct Header: Decodable {
        let issuers: [String]
        let client_ids: [String]
    }

    /// One line of the script's output (field names as the script writes them).
    struct Case: Decodable {
        let n: Int
        let kind: String
        let payload: String
        let accept: Bool
        let reason: String?
        let iss_index: Int?
        let sub: String?
        let username: String?
        let cognito_username: String?
        let email: String?
        let email_verified: Bool?
        let groups: [String]?
        let token_use: String?
        let client_id_index: Int?
        let aud_index: Int?
        let scope: String?
        let scopes: [String]?
        let exp: Int64?
        let nbf: Int64?
        let iat: Int64?
        let auth_time: Int64?
        let jti: String?
        let origin_jti: String?
    }

    /// Everything a verdict says about an accepted payload; strings as UTF-8 bytes, so that
    /// comparison is byte for byte (`String ==` would equate canonically equivalent text).
    struct Claims: Equatable {
        var issIndex: Int?
        var sub: [UInt8]?
        var username: [UInt8]?
        var cognitoUsername: [UInt8]?
        var email: [UInt8]?
        var emailVerified = false
        var groups: [[UInt8]]?
        var tokenUse = ""
        var clientIDIndex: Int?
        var audIndex: Int?
        var scope: [UInt8]?
        var scopes: [[UInt8]] = []
        var exp: Int64?
        var nbf: Int64?
        var iat: Int64?
        var authTime: Int64?
        var jti: [UInt8]?
        var originJTI: [UInt8]?
    }

    static func bytes(_ s: String?) -> [UInt8]? { s.map { Array($0.utf8) } }

    /// Python's verdict: nil when rejected.
    static func reference(_ c: Case) -> Claims? {
        guard c.accept else { return nil }
        return Claims(
            issIndex: c.iss_index, sub: bytes(c.sub), username: bytes(c.username),
            cognitoUsername: bytes(c.cognito_username), email: bytes(c.email),
            emailVerified: c.email_verified ?? false, groups: c.groups.map { $0.map { Array($0.utf8) } },
            tokenUse: c.token_use ?? "", clientIDIndex: c.client_id_index, audIndex: c.aud_index,
            scope: bytes(c.scope), scopes: (c.scopes ?? []).map { Array($0.utf8) },
            exp: c.exp, nbf: c.nbf, iat: c.iat, authTime: c.auth_time,
            jti: bytes(c.jti), originJTI: bytes(c.origin_jti))
    }

    /// The Swift reader's verdict: nil when `TokenClaims` throws.
    static func swift(_ payload: [UInt8], _ expected: TokenClaims.Expected) -> (Claims?, String?) {
        payload.withUnsafeBytes { raw in
            let claims: TokenClaims
            do throws(JSONReader.Malformed) {
                claims = try TokenClaims(json: raw, expected: expected)
            } catch {
                return (nil, error.reason.description)
            }
            func text(_ t: ClaimText?) -> [UInt8]? { t.map { Array($0.string(in: raw).utf8) } }
            let use: String
            switch claims.tokenUse {
            case .id: use = "id"
            case .access: use = "access"
            case nil: use = "any"
            }
            return (Claims(
                issIndex: expected.issuers.index(of: claims.issuer), sub: text(claims.subject), username: text(claims.username),
                cognitoUsername: text(claims.cognitoUsername), email: text(claims.email),
                emailVerified: claims.emailVerified,
                groups: claims.groupsArray == nil ? nil : claims.groups(in: raw).map { Array($0.utf8) },
                tokenUse: use, clientIDIndex: expected.clientIDs.index(of: claims.clientID),
                audIndex: expected.clientIDs.index(of: claims.audience),
                scope: text(claims.scope), scopes: (claims.scope?.words(in: raw) ?? []).map { Array($0.utf8) },
                exp: claims.expiresAt, nbf: claims.notBefore, iat: claims.issuedAt, authTime: claims.authTime,
                jti: text(claims.jti), originJTI: text(claims.originJTI)), nil)
        }
    }

    // MARK: running

    func runDifferential(seed: Int, count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let output = try Self.runScript(["--seed", String(seed), "--count", String(count)])
        var lines = output.split(separator: UInt8(ascii: "\n"))
        XCTAssertEqual(lines.count, count + 1, "header + one line per case", file: file, line: line)
        guard !lines.isEmpty else { return }
        let decoder = JSONDecoder()
        let header = try decoder.decode(Header.self, from: Data(lines.removeFirst()))
        let expected = TokenClaims.Expected(issuers: header.issuers, clientIDs: header.client_ids)

        var mismatches: [String] = []
        var mismatchCount = 0
        var byReason: [String: Int] = [:]
        var accepted = 0
        for text in lines {
            let c = try decoder.decode(Case.self, from: Data(text))
            guard let payload = Data(base64Encoded: c.payload).map({ [UInt8]($0) }) else {
                XCTFail("case \(c.n): bad base64", file: file, line: line)
                continue
            }
            let want = Self.reference(c)
            let (got, swiftReason) = Self.swift(payload, expected)
            if want != nil { accepted += 1 }
            guard want != got else { continue }
            mismatchCount += 1
            byReason[c.reason ?? "accepted by Python", default: 0] += 1
            if mismatches.count < 6 {
                mismatches.append("case \(c.n) (\(c.kind)), payload \(Self.escaped(payload)):\n"
                    + Self.describe(python: want, reason: c.reason, swift: got, swiftReason: swiftReason))
            }
        }
        // Both verdicts must occur often, or the comparison proves little.
        XCTAssertGreaterThan(accepted, count / 10, "too few accepted cases", file: file, line: line)
        XCTAssertGreaterThan(count - accepted, count / 10, "too few rejected cases", file: file, line: line)
        if mismatchCount > 0 {
            let reasons = byReason.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            XCTFail("""
                seed \(seed): \(mismatchCount) of \(count) cases disagree with scripts/json_differential.py \
                (by Python's verdict: \(reasons)); the first:
                \(mismatches.joined(separator: "\n"))
                Reproduce: python3 scripts/json_differential.py --seed \(seed) --count \(count)
                """, file: file, line: line)
        }
    }

    static func runScript(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        process.currentDirectoryURL = repoRoot
        let stdout = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        // stderr goes to the test's own, so a Python traceback shows in the log.
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "TokenJSONDifferentialTests", code: Int(process.terminationStatus), userInfo: [
                NSLocalizedDescriptionKey: "python3 \(script) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)",
            ])
        }
        return data
    }

    // MARK: reporting

    /// Bytes as a Swift-ish literal: printable ASCII as is, everything else `\xNN`.
    static func escaped(_ bytes: [UInt8], limit: Int = 600) -> String {
        var out = "\""
        for b in bytes.prefix(limit) {
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7F: out.append(Character(Unicode.Scalar(b)))
            default: out += String(format: "\\x%02X", b)
            }
        }
        out += "\""
        if bytes.count > limit { out += "… (\(bytes.count) bytes)" }
        return out
    }

    /// Each claim's name (as the script spells it) and value, rendered.
    static func fields(_ c: Claims) -> [(String, String)] {
        func s(_ b: [UInt8]?) -> String { b.map { escaped($0, limit: 80) } ?? "nil" }
        func list(_ l: [[UInt8]]?) -> String { l.map { "[" + $0.map { escaped($0, limit: 40) }.joined(separator: ", ") + "]" } ?? "nil" }
        func i<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "nil" }
        return [("iss_index", i(c.issIndex)), ("sub", s(c.sub)), ("username", s(c.username)),
                ("cognito_username", s(c.cognitoUsername)), ("email", s(c.email)),
                ("email_verified", "\(c.emailVerified)"), ("groups", list(c.groups)), ("token_use", c.tokenUse),
                ("client_id_index", i(c.clientIDIndex)), ("aud_index", i(c.audIndex)), ("scope", s(c.scope)),
                ("scopes", list(c.scopes)), ("exp", i(c.exp)), ("nbf", i(c.nbf)), ("iat", i(c.iat)),
                ("auth_time", i(c.authTime)), ("jti", s(c.jti)), ("origin_jti", s(c.originJTI))]
    }

    /// Both verdicts: every claim when only one side accepts, the claims that differ when both do.
    static func describe(python: Claims?, reason: String?, swift: Claims?, swiftReason: String?) -> String {
        func one(_ c: Claims?, _ why: String?) -> String {
            guard let c else { return "reject (\(why ?? "?"))" }
            return "accept " + fields(c).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
        guard let python, let swift else {
            return "  python: \(one(python, reason))\n  swift:  \(one(swift, swiftReason))"
        }
        return zip(fields(python), fields(swift)).filter { $0.0.1 != $0.1.1 }
            .map { "  \($0.0.0): python \($0.0.1), swift \($0.1.1)" }.joined(separator: "\n")
    }
}

extension TokenClaims.ConfiguredStrings {
    /// Which configured value `value` is, as Python's reference reports it.
    func index(of value: String?) -> Int? {
        value.flatMap { v in bytes.firstIndex { $0 == Array(v.utf8) } }
    }
}
