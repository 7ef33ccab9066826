import ArgumentParser
import AuthRPCClient
import Foundation

/// TLS flags every client command shares (SPEC §8, §10). Any of them turns TLS on;
/// each falls back to an environment variable so a shell can set them once.
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-ca"), help: "Connect with TLS 1.3, trusting this CA (PEM) ($AUTHRPC_TLS_CA).")
    var ca: String?
    @Option(name: .customLong("tls-cert"), help: "Client certificate for mTLS, PEM ($AUTHRPC_TLS_CLIENT_CERT).")
    var certificate: String?
    @Option(name: .customLong("tls-key"), help: "The client certificate's key, PEM ($AUTHRPC_TLS_CLIENT_KEY).")
    var key: String?
    @Option(name: .customLong("tls-server-name"), help: "Name the server's certificate must carry (default: the host) ($AUTHRPC_TLS_SERVER_NAME).")
    var serverName: String?

    /// The client TLS context the flags ask for, or nil for plaintext.
    func makeClientTLS() throws -> ClientTLS? {
        let env = ProcessInfo.processInfo.environment
        let settings = ClientTLSSettings(
            caFile: ca ?? env["AUTHRPC_TLS_CA"], certificateFile: certificate ?? env["AUTHRPC_TLS_CLIENT_CERT"],
            keyFile: key ?? env["AUTHRPC_TLS_CLIENT_KEY"], serverName: serverName ?? env["AUTHRPC_TLS_SERVER_NAME"])
        guard settings.caFile != nil || settings.certificateFile != nil || settings.keyFile != nil
            || settings.serverName != nil else { return nil }
        return try ClientTLS(settings)
    }
}
