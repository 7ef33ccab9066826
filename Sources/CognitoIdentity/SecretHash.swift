import COpenSSL
import Foundation

/// SPEC §5: with a client secret, every call carries
/// `SECRET_HASH = Base64(HMAC-SHA256(key: secret, message: username + clientId))`.
/// The result is as secret as the secret itself: it never reaches a log.
public enum SecretHash {
    public static func compute(secret: String, username: String, clientID: String) -> String {
        let keyLength = secret.utf8.count
        let key = keyLength == 0 ? [0] : Array(secret.utf8)  // never a NULL key pointer
        let message = Array((username + clientID).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyLength),
                         messageBytes.baseAddress, messageBytes.count, out.baseAddress, &length) != nil
                }
            }
        }
        // One-shot HMAC with a built-in digest fails only when the library is unusable.
        precondition(ok && length == 32, "HMAC-SHA256 failed")
        return Data(digest[0..<Int(length)]).base64EncodedString()
    }
}
