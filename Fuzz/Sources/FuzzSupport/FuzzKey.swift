import COpenSSL
import Foundation

/// Two fixed RSA-2048 keys for the `token` and `jwks` fuzzers: the committed seed tokens
/// (Fuzz/corpus/token) must verify in every run, so the keys cannot be made afresh per
/// process the way `DevTokenSigner` makes them. Test keys, published here; they sign
/// nothing but fuzz inputs.
public final class FuzzKey: @unchecked Sendable {
    // @unchecked: the key is set once and only read (signing uses a fresh context per call).
    private let pkey: OpaquePointer
    public let kid: String

    /// `kid` "fuzz-key-1": pool A's key.
    public static let first = FuzzKey(kid: "fuzz-key-1", der: firstDER)
    /// `kid` "fuzz-key-2": pool B's key.
    public static let second = FuzzKey(kid: "fuzz-key-2", der: secondDER)

    private init(kid: String, der: String) {
        let bytes = [UInt8](Data(base64Encoded: der, options: .ignoreUnknownCharacters)!)
        let key = bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let key else { fatalError("fixed fuzz key \(kid) does not load") }
        self.pkey = key
        self.kid = kid
    }

    /// RS256 (PKCS#1 v1.5, SHA-256) over `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        var length = 0
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1,
              EVP_DigestSign(ctx, nil, &length, message, message.count) == 1 else { fatalError("RS256 sign") }
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &out, &length, message, message.count) == 1 else { fatalError("RS256 sign") }
        return Array(out.prefix(length))
    }

    /// The public key as a JWK, Cognito's shape.
    public var jwkJSON: String {
        #"{"alg":"RS256","e":"\#(base64URL(bigNumber("e")))","kid":"\#(kid)","kty":"RSA","n":"\#(base64URL(bigNumber("n")))","use":"sig"}"#
    }

    /// A JWKS document holding both keys.
    public static var jwksJSON: String { #"{"keys":[\#(first.jwkJSON),\#(second.jwkJSON)]}"# }

    private func bigNumber(_ name: String) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else { fatalError("RSA \(name)") }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(bn)) + 7) / 8)
        BN_bn2bin(bn, &out)
        return out
    }
}

/// base64url without padding (RFC 7515 §2).
public func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

private let firstDER = """
MIIEogIBAAKCAQEAtTRFvjCsvkG9LyNsoJtL0gb/DlOQvtKnfNoCgOYMhS66XkmekPbNw/FQKWzokvrsU35kD0pQbYJgmMobaDFT
YILo5tVUGwHqNy5JEmkMUxGb2HAvn7woVeCd0qprBCb2tVaCvDuQtg831+UnzTbZwA3KPMBYmCW7q2VsFV0ERKZY+jcJ1ttCgnRI
2mXV9V6Hz2c54TYDhgfhrF401Bd/ZHm/N3Oq7eG4/halfgrLWscBxGwmFf0R5PTIBpRCB6ehYZY6vtcVzQATYs7Wt68NjonNKKez
E0r4FIBnEHerHvkxU//sLHcS1YRWZ/58ZNH3WMOuiIjb22KK3ZHW8eJ5YwIDAQABAoH/HLe1CP+w/t90uAsnkCjAqvlJ5rsWXpyj
IkxF7Q1p8bfcUgEZrF47OuzlFWP91tM8pTSXZsUnaq/omOYVcd+j2LaQLGg6dym6FYdYmGP+4Bl7tN9TASfn8+S6UhZgDMn+Vchk
WBkx3nUHSUHsprfbRffEpbyNcKnS728vDrACaar1UU3rvnLFK9dwEc7N+2guAWkfjoFwZHsb1o71ikPIVHa28PtPb1hFHdDVRZf7
XMM6EUNrx6Kcf80EXViiyzEg8odSoqMD1QoXVVcTEH7fHIbK3sPMBPTdATaKx8KdVm0axaDYW6R+/J78xU/yll0ABCaaJegYHSYn
wX5dAGppAoGBAO+OHAoDrYIxLVnS8z0iEQ4sB+YViaeCCZoazJsUF2B1Slne/F7OCKXEUYCfOeBdErCarOlccarbWXfw/tgb72Z4
EBV8EhE3mndXMk26jw+ri+SALGl1u6/6tivggEIGEVfDWAky5i46ElaCrP9EYUX73GJqrgn9XdlxvSpS47GPAoGBAMGkt1e6GlSL
KhyJi9My341xw+mXvuaDNpRI9tlyRe7vgDT8R/UUav86vDE/rWe5XSTzWFDB/gqopSRnXqXTDDNi0aNbVDh9ryl3tq4qCGCLd5G9
N7HhgsDapuTxnBav0rOmhFcGsQZ+oxvN0tZh3FQ+JH4jHAzPmrb7HrsnO2jtAoGAQXVfjAz9OHofnk/aT3Yjmu/FKMXx22fZH9b6
2dVfnefu7SfVZkJ+cm12p+Laech09vUNEqdEGB/gDro3qO3ZOPLN0lEYzsOW3c1h3YOA3BNQIpwzho25P5kOdmbeJSxrSMQEJl9W
LoOHx0Pl6crRmcH8spfb/rbREj3WJt6HgVkCgYEAloi46p7HB0AkHYkjxKxAs1FkTnxjsAkC7eWG2GWITgWrcgVI3xHfV8hOMi7h
W8fyy93MowMbvSd7McCWCGz3iB7i/43o+/1gpOjmf6A3YO4qpoYk/MhlgAy6PzI/+Db4oiXprUmLZpQdsmif5X6v7GFetxwOGzts
d6DiM/V8rsUCgYEAkYn74WZvGlHP9wodDy70XZW35izM69raQEp0ZnCaV8i4bAdR9Ga6sv5VFqDK9UzEM04uP5gYF5TfC9v9Mv2M
3pKApXtUU7mQNR2zb53xS2JSMl0JAPL/rIkvG6HooRtrnddE4cAdWKZsGMI1uvUI95wDkK5hvYT3ctjj2MAhmcw=
"""

private let secondDER = """
MIIEpQIBAAKCAQEApRaS+FH8zh1cpq70IQzVSfO/glIBpZkLFQFqA015x09gV5kInsMokhRLOf5mL38gnSqgTj39mpm3Qmg2+CKp
4PCYMcAgnWhjXMxa63KlbuGGqZSn5JhTtdgP2oun3yAedXDEYUgHgrvu9vnnGOeOPo4wPL0ZbcHSc8Sib4UBNy/jh/FkKWHU6k26
zyPzOcQc/X5FTcvASndJJpBWRHcIC59rHuLyo8u5duhaSG17uZtZKDTfaaDgmuIqR6IR6q3EU6OO/vdMNU8L45Dxg4g1xdFcm/Qp
jdTQZ9hgx8+DzIgd2RhaA/XN+uddgEFDI7mGkkBPjZOlhzwLPn9ig5BE1wIDAQABAoIBACwQo3gewkDt+24OYuFzgHb11ddeNkxS
Vm/r6bUp9+hoWonnMjLWWrzrJ806B2KEJ1tsJk/cIhYjE5RpJssCzZ9Z+PXGl64MUAFUFqyj9F5tWjlnkYzlz+pI2qp1/oADHb4x
NGnXBRIzQaywtaujGwe9gkikHOZ8BsWZ5dWohdOJyavHQX4NgvFHh+LknLa9yeFnEjuD3K22ZH9RZevWoPmYF4zyUV7lDrgR3gKb
hzvqqDBLjHUYNnpWVpgRW2xC3puOqbuwKcIPdxrhj2fy+5trUP01odi0eQ0ps/MLoSb2O2bdNxCHhpBtq7baQ5CVJ3Deq3bkUTUW
9bdbh+O1N1ECgYEA33hU1OVyko6txXSdKa1CVJv25/ZHNHJ2lxcmoUeuS/OZIVgDIhlZ8whMlHkwNTvZTB3TMJh2SafKI+I3+c7i
JhDe/dlVXFbvh2142vwsTjfEzLD7sT2u62R7DNBORbZOvHrjwmInZDQA11TD2SdJHopYqVmfm5Asg9PS1xvF8g8CgYEAvR6gpz8m
Kuqnn9plE0lbW7eybKfQwm+3fbeUIPEvg9m5jsrQF7R0H04Yyx1omHd+/pUa6hd5l7AZosJQgYpiKhnj0mWSZ0DFj5QR/vH6z8Sf
OPARo+7xBiLch13ZfDdHFmT43snSpCPEYUETdGS2prlytxyzzpZW3Cj2OasuKLkCgYEAwASMmBbEGQyCYm1uchZPLZaKVQz4aCeG
oRMifWizas3ZIZ6XqqAv+zWBX/62HrfbYp0qD9KhqW6Escq7IGrVRbIved5ai6qjzTGSrFAM3fTrpJra2pRPDjLbzMncx+f7xdau
iCOBB4frxRsv4hLwsE5eGr5I+AmtRmUoAO/7aZ8CgYEAqNj/dlLbMNXwcrf6Jg4IkwqfMoNhzzcPDB8rEX5EfeOV1/cbcw6Z3plL
aY0IJZgKuiFFtlrfJJ8FRFtYpU939T7IOMCWxbj+qgH5TzWcSIOz5JHyLfrXFjNp0THpSw3PWh8sUzy94+5LFsmTJQgGSzSnRvVJ
U9jGFCo+K565x4ECgYEAh2HI5Sn3Br7xpEWdbEfTmNE7+jzl6LHd3f76gS2tExH/NfSIWNyTJWFyNBvrO60sKExOwDCB9XWLfdg2
tOX8yo3keX3WVI/4YpyBZp4KSkxuuqLJhZlexcCp975whgwJaB/q1IlUIM2E28wfLr9lAO2MYSwO1GO8OvwihxNuwAg=
"""
