@testable import AuthRPC
import AuthRPCClient
import Logging
import NIOCore
import NIOPosix
import Wire
import XCTest

/// Answers Health with who the server thinks is calling: the mTLS caller in `version`
/// (`source:name`, or `anonymous`), and `tls`/`plaintext` in `message`.
/// Answers Health at the interception point with who the connection's caller is, as
/// the server knows it there (where caller policy and rate limits look).
final class WhoAmI: CallInterceptor {
    func admit(_ call: Call, request: Request) -> Response? {
        guard call.method == .health else { return nil }
        let who = call.connection.caller.map { "\($0.source.rawValue):\($0.name)" } ?? "anonymous"
        return Response(id: call.requestID, message: call.connection.isTLS ? "tls" : "plaintext",
                        body: .health(HealthResponse(version: who)))
    }
}

/// SPEC §8 over real sockets and real TLS: certificates from `scripts/dev-certs` and the
/// openssl CLI, the server's `ServerTLS`, the Swift client's `ClientTLS`.
final class TLSTests: XCTestCase {
    private var certs: TestCerts!
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var servers: [TestServer] = []

    override func setUpWithError() throws {
        certs = try TestCerts()
    }

    override func tearDown() async throws {
        for server in servers { await server.stop() }
        try await clientGroup.shutdownGracefully()
    }

    // MARK: helpers

    private func startServer(cert: String = "server", mTLS: Bool = false, logs: LogCapture? = nil,
                             configure: (inout TLSSettings) -> Void = { _ in }) async throws -> (TestServer, ServerTLS) {
        var settings = TLSSettings(certificatePath: certs.path("\(cert).pem"), keyPath: certs.path("\(cert).key"),
                                   clientCAPath: mTLS ? certs.path("ca.pem") : nil)
        configure(&settings)
        let logger = logs?.logger(label: "tls-test") ?? Logger(label: "tls-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let tls = try ServerTLS(settings: settings, logger: logger)
        let server = try await TestServer.start(dispatcher: testDispatcher(), interceptors: [WhoAmI()], tls: tls, logger: logger)
        servers.append(server)
        return (server, tls)
    }

    private func connect(_ server: TestServer, ca: String = "ca", cert: String? = nil, serverName: String? = nil,
                         host: String = "127.0.0.1") async throws -> AuthRPCConnection {
        let tls = try ClientTLS(ClientTLSSettings(
            caFile: certs.path("\(ca).pem"), certificateFile: cert.map { certs.path("\($0).pem") },
            keyFile: cert.map { certs.path("\($0).key") }, serverName: serverName))
        return try await AuthRPCConnection.connect(host: host, port: server.port, group: clientGroup, tls: tls)
    }

    /// Who the server says this connection's caller is, and whether it came over TLS.
    private func whoAmI(_ connection: AuthRPCConnection) async throws -> (caller: String, transport: String) {
        let answer = try await connection.call(.health(HealthRequest()))
        guard case .health(let health)? = answer.body else { throw TestCerts.CommandFailed(description: "no health body") }
        return (health.version, answer.message)
    }

    /// `body` fails with `AuthRPCClientError.tls` of `kind`.
    private func assertRefused(_ kind: TLSFailure.Kind, file: StaticString = #filePath, line: UInt = #line,
                               _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected a TLS refusal (\(kind)), but it worked", file: file, line: line)
        } catch AuthRPCClientError.tls(let failure) {
            XCTAssertEqual(failure.kind, kind, "\(failure)", file: file, line: line)
            XCTAssertFalse(failure.message.isEmpty, file: file, line: line)
        } catch {
            XCTFail("expected AuthRPCClientError.tls(\(kind)), got \(error)", file: file, line: line)
        }
    }

    // MARK: round trip

    func testRoundTripOverTLS13() async throws {
        let (server, _) = try await startServer()
        let connection = try await connect(server)
        let who = try await whoAmI(connection)
        XCTAssertEqual(who.caller, "anonymous")
        XCTAssertEqual(who.transport, "tls")
        // Pipelined calls on the same connection, answered by id.
        let answers = try await withThrowingTaskGroup(of: Response.self) { group in
            for _ in 0..<50 { group.addTask { try await connection.call(.health(HealthRequest())) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(answers.count, 50)
        XCTAssertTrue(answers.allSatisfy { $0.status == .ok })
        await connection.close()
    }

    func testServerNameMayBeGivenOrTakenFromTheHost() async throws {
        let (server, _) = try await startServer()
        let byName = try await connect(server, host: "localhost")
        _ = try await whoAmI(byName)
        let explicit = try await connect(server, serverName: "localhost")
        _ = try await whoAmI(explicit)
    }

    // MARK: mTLS caller identity

    func testMTLSCallerIsTheSPIFFEURIOfTheClientCertificate() async throws {
        let (server, _) = try await startServer(mTLS: true)
        let gateway = try await connect(server, cert: "gateway")
        let orders = try await connect(server, cert: "orders")
        let gatewayWho = try await whoAmI(gateway)
        let ordersWho = try await whoAmI(orders)
        XCTAssertEqual(gatewayWho.caller, "uri_san:spiffe://authrpc.local/gateway")
        XCTAssertEqual(ordersWho.caller, "uri_san:spiffe://authrpc.local/orders")
    }

    func testMTLSCallerFallsBackToDNSSANThenCN() async throws {
        try certs.makeLeaf("dns-client", cn: "ignored-cn", san: "DNS:billing.internal", usage: "clientAuth")
        try certs.makeLeaf("cn-client", cn: "legacy-batch", san: nil, usage: "clientAuth")
        let (server, _) = try await startServer(mTLS: true)
        let dns = try await connect(server, cert: "dns-client")
        let cn = try await connect(server, cert: "cn-client")
        let dnsWho = try await whoAmI(dns)
        let cnWho = try await whoAmI(cn)
        XCTAssertEqual(dnsWho.caller, "dns_san:billing.internal")
        XCTAssertEqual(cnWho.caller, "cn:legacy-batch")
    }

    func testCallerAppearsInTheConnectionLogs() async throws {
        let logs = LogCapture()
        let (server, _) = try await startServer(mTLS: true, logs: logs)
        let gateway = try await connect(server, cert: "gateway")
        _ = try await whoAmI(gateway)
        let established = logs.all.filter { $0.contains("TLS connection established") }
        XCTAssertEqual(established.count, 1, "\(logs.all)")
        XCTAssertTrue(established.first?.contains("caller=spiffe://authrpc.local/gateway") == true, "\(established)")
        XCTAssertTrue(established.first?.contains("peer=127.0.0.1:") == true, "\(established)")
    }

    // MARK: refusals

    func testServerCertificateFromAnotherCAIsRefused() async throws {
        try certs.makeCA("other-ca")
        let (server, _) = try await startServer()
        await assertRefused(.serverCertificateNotTrusted) { _ = try await self.connect(server, ca: "other-ca") }
    }

    func testExpiredServerCertificateIsRefused() async throws {
        try certs.makeLeaf("expired-server", cn: "localhost", san: "DNS:localhost,IP:127.0.0.1", days: -1)
        let (server, _) = try await startServer(cert: "expired-server")
        await assertRefused(.serverCertificateNotTrusted) { _ = try await self.connect(server) }
    }

    func testWrongServerNameIsRefused() async throws {
        let (server, _) = try await startServer()
        // The certificate is for localhost and 127.0.0.1; asking for another name fails even
        // though its IP SAN matches the address connected to.
        await assertRefused(.serverNameMismatch) { _ = try await self.connect(server, serverName: "payments.internal") }
        // A certificate for another name only, reached by IP address without a name.
        try certs.makeLeaf("elsewhere", cn: "elsewhere.internal", san: "DNS:elsewhere.internal")
        let (other, _) = try await startServer(cert: "elsewhere")
        await assertRefused(.serverNameMismatch) { _ = try await self.connect(other) }
    }

    func testMissingClientCertificateIsRefusedWhenMTLSIsOn() async throws {
        let logs = LogCapture()
        let (server, _) = try await startServer(mTLS: true, logs: logs)
        await assertRefused(.clientCertificateRequired) {
            let connection = try await self.connect(server)
            _ = try await connection.call(.health(HealthRequest()))
        }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertTrue(logs.all.contains { $0.contains("TLS handshake failed") && $0.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") },
                      "\(logs.all)")
    }

    func testClientCertificateFromAnotherCAOrExpiredIsRefused() async throws {
        try certs.makeCA("rogue-ca")
        try certs.makeLeaf("rogue", cn: "rogue", san: "URI:spiffe://authrpc.local/gateway", usage: "clientAuth", ca: "rogue-ca")
        try certs.makeLeaf("stale", cn: "stale", san: "URI:spiffe://authrpc.local/stale", usage: "clientAuth", days: -1)
        let (server, _) = try await startServer(mTLS: true)
        await assertRefused(.clientCertificateRefused) {
            let connection = try await self.connect(server, cert: "rogue")
            _ = try await connection.call(.health(HealthRequest()))
        }
        await assertRefused(.clientCertificateRefused) {
            let connection = try await self.connect(server, cert: "stale")
            _ = try await connection.call(.health(HealthRequest()))
        }
    }

    func testPlaintextClientOnTheTLSPortIsClosedAndOthersAreServed() async throws {
        let logs = LogCapture()
        let (server, _) = try await startServer(logs: logs)
        let tlsClient = try await connect(server)
        _ = try await whoAmI(tlsClient)

        // A burst of plaintext clients, each sending a well-formed authrpc frame.
        let health = try Request(id: 1, body: .health(HealthRequest())).encodedBytes()
        for _ in 0..<20 {
            let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
            try? await raw.sendFrame(health)
            let closed = await raw.waitForClose(timeout: .seconds(5))
            XCTAssertTrue(closed, "the server kept a plaintext client open on its TLS port")
            let answers = await raw.responses(atLeast: 0, timeout: .zero)
            XCTAssertTrue(answers.isEmpty, "a plaintext client got an authrpc answer")
            await raw.close()
        }
        // The TLS client is served throughout, on the connection it already had.
        let who = try await whoAmI(tlsClient)
        XCTAssertEqual(who.transport, "tls")
        // The Swift client says what is wrong.
        await assertRefused(.serverRequiresTLS) {
            let plain = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: self.clientGroup)
            _ = try await plain.call(.health(HealthRequest()))
        }
        // Logged per kind of failure and second, not per connection.
        let lines = logs.all.filter { $0.contains("TLS handshake failed") && !$0.contains("repeats not written") }
        XCTAssertGreaterThanOrEqual(lines.count, 1)
        XCTAssertLessThanOrEqual(lines.count, 3, "\(lines)")
        XCTAssertTrue(lines.first?.contains("not speaking TLS") == true, "\(lines)")
    }

    func testHandshakeThatNeverStartsTimesOut() async throws {
        let (server, _) = try await startServer { $0.handshakeTimeout = .milliseconds(300) }
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        let began = ContinuousClock.now
        let closed = await raw.waitForClose(timeout: .seconds(5))
        XCTAssertTrue(closed)
        XCTAssertLessThan(ContinuousClock.now - began, .seconds(4))
        await raw.close()
    }

    // MARK: reload

    func testReloadServesTheNewCertificateToNewConnectionsAndKeepsOldOnes() async throws {
        try certs.makeCA("ca2")
        try certs.makeLeaf("server2", cn: "localhost", san: "DNS:localhost,IP:127.0.0.1", ca: "ca2")
        let (server, tls) = try await startServer()
        let old = try await connect(server)
        _ = try await whoAmI(old)

        try certs.replace("server", with: "server2")
        XCTAssertEqual(tls.reload(reason: "test"), .reloaded)

        // New connections get the new certificate: only its CA verifies it now.
        let renewed = try await connect(server, ca: "ca2")
        _ = try await whoAmI(renewed)
        await assertRefused(.serverCertificateNotTrusted) { _ = try await self.connect(server, ca: "ca") }
        // The connection made before the reload keeps working.
        let stillThere = try await whoAmI(old)
        XCTAssertEqual(stillThere.transport, "tls")
        XCTAssertEqual(tls.reload(reason: "test"), .unchanged)
    }

    func testBrokenNewFilesKeepTheOldCertificate() async throws {
        let logs = LogCapture()
        let (server, tls) = try await startServer(logs: logs)
        let original = try String(contentsOfFile: certs.path("server.pem"), encoding: .utf8)

        try "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"
            .write(toFile: certs.path("server.pem"), atomically: true, encoding: .utf8)
        guard case .refused(let problems) = tls.reload(reason: "test") else { return XCTFail("a broken certificate was loaded") }
        XCTAssertTrue(problems.contains { $0.contains("AUTHRPC_TLS_CERT") && $0.contains(certs.path("server.pem")) }, "\(problems)")
        // Logged once, not at every check while the file stays broken.
        XCTAssertEqual(tls.reload(reason: "test"), .unchanged)
        XCTAssertEqual(logs.all.filter { $0.contains("TLS files not reloaded") }.count, 1)
        let during = try await connect(server)
        _ = try await whoAmI(during)

        // A good certificate with a key that is not its own: refused too, naming the key.
        try certs.makeLeaf("server3", cn: "localhost", san: "DNS:localhost,IP:127.0.0.1")
        try FileManager.default.removeItem(atPath: certs.path("server.pem"))
        try FileManager.default.copyItem(atPath: certs.path("server3.pem"), toPath: certs.path("server.pem"))
        guard case .refused(let mismatch) = tls.reload(reason: "test") else { return XCTFail("a mismatched key was loaded") }
        XCTAssertTrue(mismatch.contains { $0.contains("AUTHRPC_TLS_KEY") && $0.contains("is not the key of") }, "\(mismatch)")
        let after = try await connect(server)
        _ = try await whoAmI(after)

        // Put right again, it loads.
        try original.write(toFile: certs.path("server.pem"), atomically: true, encoding: .utf8)
        XCTAssertEqual(tls.reload(reason: "test"), .reloaded)
    }

    func testChangedFilesAreNoticedWithoutASignal() async throws {
        try certs.makeCA("ca2")
        try certs.makeLeaf("server2", cn: "localhost", san: "DNS:localhost,IP:127.0.0.1", ca: "ca2")
        let (server, tls) = try await startServer { $0.reloadCheckInterval = .milliseconds(100) }
        let reloader = Task { try await TLSReloader(tls: tls, trapSIGHUP: false).run() }
        defer { reloader.cancel() }
        try certs.replace("server", with: "server2")
        let end = ContinuousClock.now + .seconds(10)
        while true {
            if let connection = try? await connect(server, ca: "ca2") {
                _ = try await whoAmI(connection)
                break
            }
            XCTAssertLessThan(ContinuousClock.now, end, "the new certificate was not picked up")
            if ContinuousClock.now > end { break }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func testBadFilesAtStartUpAreAConfigurationError() throws {
        let settings = TLSSettings(certificatePath: certs.path("missing.pem"), keyPath: certs.path("ca.pem"),
                                   clientCAPath: certs.path("server.key"))
        XCTAssertThrowsError(try ServerTLS(settings: settings, logger: Logger(label: "t"))) { error in
            let problems = (error as? ConfigError)?.problems ?? []
            XCTAssertEqual(problems.count, 3, "\(problems)")
            XCTAssertTrue(problems.contains { $0.contains("AUTHRPC_TLS_CERT") && $0.contains("no such file") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.contains("AUTHRPC_TLS_KEY") && $0.contains("private key") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.contains("AUTHRPC_TLS_CLIENT_CA") && $0.contains("no PEM certificate") }, "\(problems)")
        }
    }

    func testClientSettingsThatCannotWorkAreSaidSo() {
        XCTAssertThrowsError(try ClientTLS(ClientTLSSettings(caFile: certs.path("nope.pem")))) { error in
            guard case AuthRPCClientError.tlsSetup(let message)? = error as? AuthRPCClientError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("nope.pem"), message)
        }
        XCTAssertThrowsError(try ClientTLS(ClientTLSSettings(caFile: certs.path("ca.pem"), certificateFile: certs.path("gateway.pem"))))
        XCTAssertThrowsError(try ClientTLS(ClientTLSSettings(
            caFile: certs.path("ca.pem"), certificateFile: certs.path("gateway.pem"), keyFile: certs.path("orders.key")))) { error in
            XCTAssertTrue("\(error)".contains("is not the key of"), "\(error)")
        }
    }
}
