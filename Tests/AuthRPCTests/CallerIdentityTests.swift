@testable import AuthRPC
import NIOSSL
import XCTest

/// SPEC §8's order for naming a caller: URI SAN, else DNS SAN, else CN; read from
/// certificates the openssl CLI made.
final class CallerIdentityTests: XCTestCase {
    func testOrderOfPreference() {
        XCTAssertEqual(CallerIdentity.choose(uris: ["spiffe://d/w"], dnsNames: ["w.d"], commonName: "w"),
                       CallerIdentity(name: "spiffe://d/w", source: .uriSAN))
        XCTAssertEqual(CallerIdentity.choose(uris: [], dnsNames: ["w.d", "x.d"], commonName: "w"),
                       CallerIdentity(name: "w.d", source: .dnsSAN))
        XCTAssertEqual(CallerIdentity.choose(uris: [], dnsNames: [], commonName: "w"),
                       CallerIdentity(name: "w", source: .commonName))
        XCTAssertNil(CallerIdentity.choose(uris: [], dnsNames: [], commonName: nil))
    }

    func testSPIFFEWinsAmongSeveralURIs() {
        XCTAssertEqual(CallerIdentity.choose(uris: ["https://example.com/x", "spiffe://d/w"], dnsNames: [], commonName: nil)?.name,
                       "spiffe://d/w")
        XCTAssertEqual(CallerIdentity.choose(uris: ["https://example.com/x"], dnsNames: ["w.d"], commonName: nil)?.name,
                       "https://example.com/x")
    }

    func testNamesThatCannotBeOneTokenAreSkipped() {
        XCTAssertEqual(CallerIdentity.choose(uris: ["spiffe://d/a b"], dnsNames: ["ok.d"], commonName: nil)?.name, "ok.d")
        XCTAssertEqual(CallerIdentity.choose(uris: [], dnsNames: ["bad\nname"], commonName: "cn")?.name, "cn")
        XCTAssertNil(CallerIdentity.choose(uris: [""], dnsNames: [String(repeating: "a", count: 2000)], commonName: "two words"))
    }

    func testReadFromRealCertificates() throws {
        let certs = try TestCerts()
        try certs.makeLeaf("dns", cn: "cn-ignored", san: "DNS:billing.internal,DNS:other.internal", usage: "clientAuth")
        try certs.makeLeaf("cn", cn: "legacy-batch", san: nil, usage: "clientAuth")
        try certs.makeLeaf("mixed", cn: "cn-ignored", san: "DNS:a.internal,URI:spiffe://authrpc.local/mixed,IP:10.0.0.1",
                           usage: "clientAuth")
        func identity(_ name: String) throws -> CallerIdentity? {
            CallerIdentity(certificate: try NIOSSLCertificate.fromPEMFile(certs.path("\(name).pem"))[0])
        }
        XCTAssertEqual(try identity("gateway"), CallerIdentity(name: "spiffe://authrpc.local/gateway", source: .uriSAN))
        XCTAssertEqual(try identity("orders"), CallerIdentity(name: "spiffe://authrpc.local/orders", source: .uriSAN))
        XCTAssertEqual(try identity("dns"), CallerIdentity(name: "billing.internal", source: .dnsSAN))
        XCTAssertEqual(try identity("cn"), CallerIdentity(name: "legacy-batch", source: .commonName))
        XCTAssertEqual(try identity("mixed"), CallerIdentity(name: "spiffe://authrpc.local/mixed", source: .uriSAN))
    }
}
