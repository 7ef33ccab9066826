import NIOCore
import NIOSSL

/// The server's certificate must name the server asked for (SPEC §8): a DNS name in
/// a DNS SAN (a `*.` wildcard covers one leftmost label), an IP address in an IP SAN.
///
/// swift-nio-ssl's own check also passes a certificate whose IP SAN matches the
/// address connected to, whatever name was asked for; so a certificate for
/// `localhost, 127.0.0.1` would pass as `payments.internal` on loopback. This check
/// runs after it and holds the certificate to the name.
enum ServerNameCheck {
    static func certificate(_ certificate: NIOSSLCertificate, names name: String) -> Bool {
        let wantedIP = (try? SocketAddress(ipAddress: name, port: 0))?.ipAddress
        let wantedName = name.hasSuffix(".") ? String(name.dropLast()).lowercased() : name.lowercased()
        for san in certificate._subjectAlternativeNames() {
            switch san.nameType {
            case .dnsName where wantedIP == nil:
                if let dns = String(validating: san.contents, as: UTF8.self), matches(dns.lowercased(), wantedName) {
                    return true
                }
            case .ipAddress where wantedIP != nil:
                if let text = ipText(Array(san.contents)), text == wantedIP { return true }
            default:
                continue
            }
        }
        return false
    }

    private static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern == name { return true }
        guard pattern.hasPrefix("*."), let dot = name.firstIndex(of: ".") else { return false }
        let suffix = pattern.dropFirst(1)  // ".example.com"
        return name[dot...] == suffix && name[..<dot].allSatisfy { $0 != "." } && !name[..<dot].isEmpty
    }

    /// An IP SAN's 4 or 16 bytes in the form `SocketAddress` prints.
    private static func ipText(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4:
            return (try? SocketAddress(ipAddress: bytes.map(String.init).joined(separator: "."), port: 0))?.ipAddress
        case 16:
            let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return (try? SocketAddress(ipAddress: groups.joined(separator: ":"), port: 0))?.ipAddress
        default:
            return nil
        }
    }
}
