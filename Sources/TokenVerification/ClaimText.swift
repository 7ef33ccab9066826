#if canImport(Glibc)
import Glibc
#endif

/// A string claim as the payload spells it: where its text lies in the decoded payload,
/// or — only when the JSON used escapes — its unescaped value.
///
/// Why not a `String`: a Cognito access token carries half a dozen string claims, and
/// making each one a `String` (allocate, copy, validate UTF-8 again) cost more per token
/// than everything else the verifier does besides RSA (docs/BENCHMARKS.md). Positions are
/// free; `VerifiedToken` makes the Strings once, when an answer first needs them.
enum ClaimText: Sendable, Equatable {
    case span(start: Int, count: Int)
    case unescaped(String)

    /// The claim's bytes; `payload` is the buffer the span indexes.
    func withBytes<R>(in payload: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch self {
        case .span(let start, let count):
            return body(UnsafeRawBufferPointer(rebasing: payload[start..<(start + count)]))
        case .unescaped(var text):
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }

    func string(in payload: UnsafeRawBufferPointer) -> String {
        if case .unescaped(let text) = self { return text }
        return withBytes(in: payload) { String(decoding: $0, as: UTF8.self) }
    }

    /// The claim split on spaces, empty pieces dropped: `scope` (RFC 6749 §3.3).
    func words(in payload: UnsafeRawBufferPointer) -> [String] {
        var out: [String] = []
        forEachWord(in: payload) { word in
            out.append(String(decoding: word, as: UTF8.self))
            return true
        }
        return out
    }

    /// Whether `word` is one of the space-separated pieces, compared byte for byte.
    func containsWord(_ word: String, in payload: UnsafeRawBufferPointer) -> Bool {
        var wanted = word
        return wanted.withUTF8 { wantedBytes in
            var found = false
            forEachWord(in: payload) { piece in
                found = piece.count == wantedBytes.count
                    && (piece.isEmpty || memcmp(piece.baseAddress!, wantedBytes.baseAddress!, piece.count) == 0)
                return !found
            }
            return found
        }
    }

    /// Calls `body` with each non-empty space-separated piece until it returns false.
    func forEachWord(in payload: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) {
        withBytes(in: payload) { bytes in
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: " ") {
                if i > start, !body(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) { return }
                start = i + 1
            }
        }
    }
}
