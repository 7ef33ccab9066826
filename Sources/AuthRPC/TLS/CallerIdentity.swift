import NIOSSL

/// Who a caller is, as its verified client certificate says (SPEC §8): the URI SAN
/// (SPIFFE form `spiffe://<trust-domain>/<workload>`), else the DNS SAN, else the
/// subject's CN. Only certificates the configured client CA issued get this far,
/// so the name is as trustworthy as that CA.
public struct CallerIdentity: Sendable, Hashable, CustomStringConvertible {
    /// Which part of the certificate the name came from.
    public enum Source: String, Sendable, Hashable {
        case uriSAN = "uri_san"
        case dnsSAN = "dns_san"
        case commonName = "cn"
    }

    public let name: String
    public let source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    public var description: String { name }

    /// The identity `certificate` names, or nil when it names none usable.
    public init?(certificate: NIOSSLCertificate) {
        var uris: [String] = []
        var dnsNames: [String] = []
        for name in certificate._subjectAlternativeNames() {
            guard let text = String(validating: name.contents, as: UTF8.self) else { continue }
            switch name.nameType {
            case .uri: uris.append(text)
            case .dnsName: dnsNames.append(text)
            default: break
            }
        }
        let commonName = certificate.subjectName.last { $0.type == .commonName }?.value
        guard let chosen = Self.choose(uris: uris, dnsNames: dnsNames, commonName: commonName) else { return nil }
        self = chosen
    }

    /// SPEC §8's order. Among several URI SANs a SPIFFE one wins (an SVID carries exactly
    /// one); names that are empty, over 1024 bytes, or hold spaces or control characters
    /// are skipped, so what reaches a policy or a log line is one printable token.
    static func choose(uris: [String], dnsNames: [String], commonName: String?) -> CallerIdentity? {
        let uris = uris.filter(isUsable)
        if let uri = uris.first(where: { $0.lowercased().hasPrefix("spiffe://") }) ?? uris.first {
            return CallerIdentity(name: uri, source: .uriSAN)
        }
        if let dns = dnsNames.first(where: isUsable) {
            return CallerIdentity(name: dns, source: .dnsSAN)
        }
        if let commonName, isUsable(commonName) {
            return CallerIdentity(name: commonName, source: .commonName)
        }
        return nil
    }

    private static func isUsable(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 1024
            && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
    }
}
