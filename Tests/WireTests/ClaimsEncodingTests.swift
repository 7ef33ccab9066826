@testable import Wire
import XCTest

/// `EncodedVerifyTokenResponse.init(claims:)`, the hand-written wire encoder, against
/// protobuf-c packing the same `Claims`: byte for byte, at the edges of every field kind.
final class ClaimsEncodingTests: XCTestCase {
    /// Values handed over as a `Claims` value's strings, as a caller with Strings would.
    private struct ValueSource: ClaimsFieldSource {
        let claims: Claims

        func withBytes<R>(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            var text: String
            switch member {
            case .sub: text = claims.sub
            case .username: text = claims.username
            case .email: text = claims.email
            case .clientID: text = claims.clientID
            case .issuer: text = claims.issuer
            case .jti: text = claims.jti
            case .originJTI: text = claims.originJTI
            case .payloadJSON: text = claims.payloadJSON
            default: text = ""
            }
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }

        func forEachElement(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> Void) {
            for var element in member == .groups ? claims.groups : member == .scopes ? claims.scopes : [] {
                element.withUTF8 { body(UnsafeRawBufferPointer($0)) }
            }
        }

        func flag(_ member: ClaimsMember) -> Bool { member == .emailVerified && claims.emailVerified }

        func integer(_ member: ClaimsMember) -> Int64 {
            switch member {
            case .tokenUse: Int64(claims.tokenUse.rawValue)
            case .issuedAt: claims.issuedAt
            case .expiresAt: claims.expiresAt
            case .authTime: claims.authTime
            default: 0
            }
        }
    }

    private func assertSameAsProtobufC(_ claims: Claims, file: StaticString = #filePath, line: UInt = #line) throws {
        let direct = try EncodedVerifyTokenResponse(claims: ValueSource(claims: claims))
        let packed = try EncodedVerifyTokenResponse(VerifyTokenResponse(claims: claims))
        XCTAssertEqual(direct.fieldBytes, packed.fieldBytes, file: file, line: line)
        XCTAssertEqual(direct.response?.claims, claims, file: file, line: line)
    }

    /// The layout comes from the generated descriptor and names every field of it.
    func testLayoutCoversEveryClaimsField() {
        let layout = ClaimsWireLayout.claims
        XCTAssertEqual(layout.unknownFieldNames, [], "a Claims field the encoder would leave out")
        XCTAssertEqual(Set(layout.fields.map(\.member)), Set(ClaimsMember.allCases))
        XCTAssertEqual(layout.fields.map(\.tag), layout.fields.map(\.tag).sorted(), "fields in number order, as protobuf-c packs")
    }

    func testEmptyClaimsAreAnEmptyMessage() throws {
        try assertSameAsProtobufC(Claims())
        XCTAssertEqual(try EncodedVerifyTokenResponse(claims: ValueSource(claims: Claims())).fieldBytes, [0xA2, 0x01, 0x02, 0x0A, 0x00])
    }

    func testIntegersAtTheVarintEdges() throws {
        for value: Int64 in [1, -1, 127, 128, 16383, 16384, 1 << 35, 9_007_199_254_740_991, -9_007_199_254_740_991,
                             .max, .min] {
            try assertSameAsProtobufC(Claims(issuedAt: value, expiresAt: value, authTime: value))
        }
    }

    func testScalarsAndEnums() throws {
        for use in TokenUse.allCases {
            try assertSameAsProtobufC(Claims(emailVerified: true, tokenUse: use))
        }
        try assertSameAsProtobufC(Claims(emailVerified: false, tokenUse: .any))
    }

    func testStringsOfEveryLengthClassAndUnicode() throws {
        for length in [1, 127, 128, 16383, 16384, 70_000] {
            let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
            try assertSameAsProtobufC(Claims(sub: text, payloadJSON: text))
        }
        try assertSameAsProtobufC(Claims(sub: "a\"b\\c\n", username: "😀 ü 中", email: "e@example.com", clientID: "c",
                                         issuer: "https://i", jti: "j", originJTI: "o", payloadJSON: #"{"a":"\u00e9"}"#))
    }

    /// Each element of a repeated field is written, empty ones too, as protobuf-c does.
    func testRepeatedStringsKeepEmptyElementsAndOrder() throws {
        try assertSameAsProtobufC(Claims(groups: ["", "admins", "", "ünï"], scopes: ["b", "a"]))
        try assertSameAsProtobufC(Claims(groups: [""]))
        try assertSameAsProtobufC(Claims(groups: (0..<300).map { "group-\($0)" }))
    }

    /// U+0000 is refused, never cut short (docs/DESIGN.md).
    func testAStringHoldingNULIsRefused() {
        for claims in [Claims(sub: "admin\u{0}-x"), Claims(groups: ["admins\u{0}"]), Claims(payloadJSON: "\u{0}")] {
            XCTAssertThrowsError(try EncodedVerifyTokenResponse(claims: ValueSource(claims: claims))) { error in
                guard case WireError.stringContainsNUL = error else { return XCTFail("\(error)") }
            }
        }
    }
}
