@testable import AuthRPC
import XCTest

/// SPEC §7: every missing or bad setting is named, all in one error.
final class ConfigTests: XCTestCase {
    private let minimal = [
        "COGNITO_REGION": "us-east-1",
        "COGNITO_USER_POOL_ID": "us-east-1_AbC123",
        "COGNITO_CLIENT_ID": "abc123client",
    ]

    private func problems(_ settings: [String: String]) -> [String] {
        do {
            _ = try ServiceConfig.load(from: settings)
            return []
        } catch {
            return error.problems
        }
    }

    func testDefaults() throws {
        let config = try ServiceConfig.load(from: minimal)
        XCTAssertEqual(config.listenHost, "127.0.0.1")
        XCTAssertEqual(config.listenPort, 7400)
        XCTAssertEqual(config.maxFrameBytes, 65536)
        XCTAssertEqual(config.maxInFlightPerConnection, 1024)
        XCTAssertEqual(config.idleTimeout, .seconds(300))
        XCTAssertEqual(config.maxConnections, 10000)
        XCTAssertEqual(config.shutdownGrace, .seconds(10))
        XCTAssertEqual(config.maxTokenBytes, 16384)
        XCTAssertEqual(config.jwksMinRefresh, .seconds(10))
        XCTAssertEqual(config.jwksRefresh, .seconds(3600))
        XCTAssertEqual(config.clockLeewaySeconds, 0)
        XCTAssertEqual(config.verifyCacheEntries, 100_000)
        XCTAssertEqual(config.cognitoMaxInFlight, 256)
        XCTAssertEqual(config.cognitoEndpoint, "https://cognito-idp.us-east-1.amazonaws.com/")
        XCTAssertEqual(config.pools, [PoolConfig(
            poolID: "us-east-1_AbC123", region: "us-east-1",
            issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
            jwksURL: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json")])
        XCTAssertNil(config.clientSecret)
    }

    func testEverythingMissingIsReportedAtOnce() {
        let found = problems([:])
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("COGNITO_USER_POOL_ID is required") })
        XCTAssertTrue(found.contains { $0.hasPrefix("COGNITO_CLIENT_ID is required") })
    }

    func testEachBadSettingHasItsMessage() {
        var settings = minimal
        settings["AUTHRPC_LISTEN"] = "nowhere"
        settings["COGNITO_ENDPOINT"] = "ftp://x"
        settings["COGNITO_JWKS_URL"] = "gopher://x"
        settings["AUTHRPC_MAX_FRAME_BYTES"] = "lots"
        settings["AUTHRPC_MAX_IN_FLIGHT"] = "0"
        settings["AUTHRPC_IDLE_TIMEOUT_S"] = "-1"
        settings["AUTHRPC_MAX_CONNECTIONS"] = "x"
        settings["AUTHRPC_SHUTDOWN_GRACE_S"] = "1e3"
        settings["AUTHRPC_MAX_TOKEN_BYTES"] = "1"
        settings["AUTHRPC_JWKS_MIN_REFRESH_S"] = "ten"
        settings["AUTHRPC_JWKS_REFRESH_S"] = "0"
        settings["AUTHRPC_CLOCK_LEEWAY_S"] = "99999"
        settings["AUTHRPC_VERIFY_CACHE_ENTRIES"] = "-5"
        settings["AUTHRPC_COGNITO_MAX_INFLIGHT"] = "0"
        settings["AUTHRPC_COGNITO_CONNECT_TIMEOUT_MS"] = "soon"
        settings["AUTHRPC_COGNITO_TIMEOUT_MS"] = "0"
        settings["AUTHRPC_THREADS"] = "many"
        settings["AUTHRPC_LOG_LEVEL"] = "loud"
        let found = problems(settings)
        for key in settings.keys where key.hasPrefix("AUTHRPC_") || key == "COGNITO_ENDPOINT" || key == "COGNITO_JWKS_URL" {
            XCTAssertTrue(found.contains { $0.hasPrefix(key) }, "no message for \(key): \(found)")
        }
        XCTAssertEqual(found.count, settings.count - minimal.count)
    }

    func testBadPoolAndClientIDs() {
        var settings = minimal
        settings["COGNITO_USER_POOL_ID"] = "not a pool, us-east-1_ok1, eu-west-1_x_y"
        settings["COGNITO_CLIENT_ID"] = "good1, bad id!"
        let found = problems(settings)
        XCTAssertTrue(found.contains { $0.contains("\"not a pool\"") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("\"eu-west-1_x_y\"") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("\"bad id!\"") }, "\(found)")
        XCTAssertEqual(found.count, 3)
    }

    func testBadRegion() {
        var settings = minimal
        settings["COGNITO_REGION"] = "Mars"
        XCTAssertEqual(problems(settings).count, 1)
        XCTAssertTrue(problems(settings)[0].hasPrefix("COGNITO_REGION"))
    }

    func testSeveralPoolsTakeTheirRegionFromTheirIDs() throws {
        var settings = minimal
        settings["COGNITO_USER_POOL_ID"] = "us-east-1_aaa,eu-west-1_bbb"
        settings["COGNITO_CLIENT_ID"] = "one,two"
        let config = try ServiceConfig.load(from: settings)
        XCTAssertEqual(config.pools.map(\.issuer), [
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_aaa",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_bbb",
        ])
        XCTAssertEqual(config.clientIDs, ["one", "two"])
        XCTAssertEqual(config.primaryClientID, "one")
    }

    func testSeveralPoolsRefuseSinglePoolOverrides() {
        var settings = minimal
        settings["COGNITO_USER_POOL_ID"] = "us-east-1_aaa,eu-west-1_bbb"
        settings["COGNITO_JWKS_URL"] = "file:///tmp/jwks.json"
        settings["COGNITO_ISSUER"] = "http://localhost:9229/x"
        let found = problems(settings)
        XCTAssertEqual(found.count, 2, "\(found)")
    }

    func testEndpointAndOverridesShapeTheJWKSURLAndIssuer() throws {
        var settings = minimal
        settings["COGNITO_ENDPOINT"] = "http://127.0.0.1:9229"
        settings["AUTHRPC_LISTEN"] = "0.0.0.0:9000"
        settings["AUTHRPC_ALLOW_PLAINTEXT"] = "1"
        let config = try ServiceConfig.load(from: settings)
        XCTAssertEqual(config.cognitoEndpoint, "http://127.0.0.1:9229/")
        XCTAssertEqual(config.pools[0].jwksURL, "http://127.0.0.1:9229/us-east-1_AbC123/.well-known/jwks.json")
        XCTAssertEqual(config.pools[0].issuer, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123")
        XCTAssertEqual(config.listenHost, "0.0.0.0")
        XCTAssertEqual(config.listenPort, 9000)

        settings["COGNITO_ISSUER"] = "http://localhost:9229/local_pool"
        settings["COGNITO_JWKS_URL"] = "file:///etc/jwks.json"
        let overridden = try ServiceConfig.load(from: settings)
        XCTAssertEqual(overridden.pools[0].issuer, "http://localhost:9229/local_pool")
        XCTAssertEqual(overridden.pools[0].jwksURL, "file:///etc/jwks.json")
    }

    func testSecretNeverPrinted() throws {
        var settings = minimal
        settings["COGNITO_CLIENT_SECRET"] = "super-secret-value"
        settings["AUTHRPC_MAX_FRAME_BYTES"] = "bad"
        let found = problems(settings)
        XCTAssertFalse(found.joined().contains("super-secret-value"))
        settings["AUTHRPC_MAX_FRAME_BYTES"] = nil
        let config = try ServiceConfig.load(from: settings)
        XCTAssertEqual(config.clientSecret?.reveal(), "super-secret-value")
        XCTAssertFalse("\(config)".contains("super-secret-value"))
        XCTAssertFalse(String(reflecting: config).contains("super-secret-value"))
    }

    func testIPv6Listen() throws {
        var settings = minimal
        settings["AUTHRPC_LISTEN"] = "[::1]:7401"
        let config = try ServiceConfig.load(from: settings)
        XCTAssertEqual(config.listenHost, "::1")
        XCTAssertEqual(config.listenPort, 7401)
    }

    // MARK: SPEC §8 transport security

    func testNonLoopbackPlaintextIsRefusedUnlessAllowed() throws {
        for host in ["0.0.0.0", "10.1.2.3", "[::]", "[2001:db8::1]", "authrpc.internal"] {
            var settings = minimal
            settings["AUTHRPC_LISTEN"] = "\(host):7400"
            let found = problems(settings)
            XCTAssertEqual(found.count, 1, "\(host): \(found)")
            XCTAssertTrue(found.first?.contains("AUTHRPC_ALLOW_PLAINTEXT=1") == true, "\(found)")
            XCTAssertTrue(found.first?.contains("AUTHRPC_TLS_CERT") == true, "\(found)")

            settings["AUTHRPC_ALLOW_PLAINTEXT"] = "1"
            XCTAssertTrue(try ServiceConfig.load(from: settings).allowPlaintext)
        }
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "[::1]", "[::ffff:127.0.0.1]"] {
            var settings = minimal
            settings["AUTHRPC_LISTEN"] = "\(host):7400"
            XCTAssertEqual(problems(settings), [], host)
        }
    }

    func testTLSMakesNonLoopbackListenFine() throws {
        var settings = minimal
        settings["AUTHRPC_LISTEN"] = "0.0.0.0:7400"
        settings["AUTHRPC_TLS_CERT"] = "/etc/authrpc/server.pem"
        settings["AUTHRPC_TLS_KEY"] = "/etc/authrpc/server.key"
        settings["AUTHRPC_TLS_CLIENT_CA"] = "/etc/authrpc/clients.pem"
        settings["AUTHRPC_TLS_HANDSHAKE_TIMEOUT_S"] = "3"
        let config = try ServiceConfig.load(from: settings)
        XCTAssertEqual(config.tls?.certificatePath, "/etc/authrpc/server.pem")
        XCTAssertEqual(config.tls?.keyPath, "/etc/authrpc/server.key")
        XCTAssertEqual(config.tls?.clientCAPath, "/etc/authrpc/clients.pem")
        XCTAssertEqual(config.tls?.handshakeTimeout, .seconds(3))
        XCTAssertEqual(config.tls?.reloadCheckInterval, .seconds(5))
        XCTAssertNil(try ServiceConfig.load(from: minimal).tls)
    }

    func testTLSSettingsComeInPairs() {
        var certOnly = minimal
        certOnly["AUTHRPC_TLS_CERT"] = "/x.pem"
        XCTAssertTrue(problems(certOnly).contains { $0.contains("AUTHRPC_TLS_KEY is required") }, "\(problems(certOnly))")
        var keyOnly = minimal
        keyOnly["AUTHRPC_TLS_KEY"] = "/x.key"
        XCTAssertTrue(problems(keyOnly).contains { $0.contains("AUTHRPC_TLS_CERT is required") })
        var caOnly = minimal
        caOnly["AUTHRPC_TLS_CLIENT_CA"] = "/ca.pem"
        XCTAssertTrue(problems(caOnly).contains { $0.contains("AUTHRPC_TLS_CLIENT_CA needs") })
        var bad = minimal
        bad["AUTHRPC_ALLOW_PLAINTEXT"] = "maybe"
        bad["AUTHRPC_TLS_HANDSHAKE_TIMEOUT_S"] = "0"
        XCTAssertEqual(problems(bad).count, 2, "\(problems(bad))")
    }

    func testAdminListenerAndMetricsSettings() throws {
        let defaults = try ServiceConfig.load(from: minimal)
        XCTAssertEqual(defaults.adminListen?.host, "127.0.0.1")
        XCTAssertEqual(defaults.adminListen?.port, 7401)
        XCTAssertTrue(defaults.metricsEnabled)

        var settings = minimal
        settings["AUTHRPC_ADMIN_LISTEN"] = ""
        settings["AUTHRPC_METRICS"] = "off"
        let off = try ServiceConfig.load(from: settings)
        XCTAssertNil(off.adminListen)
        XCTAssertFalse(off.metricsEnabled)

        settings["AUTHRPC_ADMIN_LISTEN"] = "0.0.0.0:9100"
        XCTAssertEqual(try ServiceConfig.load(from: settings).adminListen?.port, 9100)

        var bad = minimal
        bad["AUTHRPC_ADMIN_LISTEN"] = "7401"
        bad["AUTHRPC_METRICS"] = "maybe"
        let found = problems(bad)
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("AUTHRPC_ADMIN_LISTEN must be HOST:PORT") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("AUTHRPC_METRICS must be on or off") }, "\(found)")

        var same = minimal
        same["AUTHRPC_ADMIN_LISTEN"] = "127.0.0.1:7400"
        XCTAssertTrue(problems(same).contains { $0.contains("never shares the RPC port") })
    }
}
