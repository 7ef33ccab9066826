// libFuzzer target `jwks` (docs/FUZZING.md): a JWKS document as fetched from a pool's
// `jwks.json` (SPEC §6 "JWKS cache"), through `JWKSet(json:)`: the JSON reader, the
// key filters, base64url `n`/`e` and OpenSSL's RSA key import.
@testable import TokenVerification
import Foundation
import FuzzSupport

@main enum Main {
    static func main() {
        if let path = ProcessInfo.processInfo.environment["FUZZ_JWKS_WRITE_KEYS"] {
            FileManager.default.createFile(atPath: path, contents: Data(FuzzKey.jwksJSON.utf8))
            exit(0)
        }
        _ = previous
        runLibFuzzer(fuzzJWKS)
    }
}

/// The fixed fuzz keys' JWKS, parsed once, so every input is also read as a refresh that
/// may reuse unchanged keys (`reusing:`), the path a background refresh takes. The seed
/// corpus holds these keys too (`scripts/fuzz seeds`).
private let previous = try! JWKSet(json: Array(FuzzKey.jwksJSON.utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWKS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let json = Array(fuzzInput(data, size))
    for base in [nil, previous] as [JWKSet?] {
        guard let set = try? JWKSet(json: json, reusing: base) else { continue }
        var kids = Set<String>()
        for entry in set.entries {
            // Invariants the cache relies on: a non-empty kid, listed once.
            check(!entry.kid.isEmpty && kids.insert(entry.kid).inserted,
                  "JWKSet kept an empty or repeated kid: \(entry.kid.debugDescription)")
        }
        check(set.sameKeys(as: set), "a JWKS differs from itself")
        if let base {
            // An unchanged kid with unchanged n and e keeps its key object (and with it the
            // verified tokens cached under it).
            for entry in set.entries {
                if let old = base.entries.first(where: { $0.kid == entry.kid }), old.modulus == entry.modulus,
                   old.exponent == entry.exponent {
                    check(old.key === entry.key, "unchanged key \(entry.kid) was not reused")
                }
            }
        }
        _ = set.skipped.joined(separator: ", ")
    }
    return 0
}
