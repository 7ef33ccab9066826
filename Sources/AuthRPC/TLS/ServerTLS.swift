import Foundation
import Logging
import NIOSSL
import Synchronization

/// The RPC listener's TLS context (SPEC §8), kept current with the files on disk.
///
/// Each connection takes `context` once, when it is accepted; `reload` swaps in a new
/// one, so new connections get the new certificate while open ones keep the context
/// they began with. A new set of files that does not make a good context (unreadable,
/// not PEM, a key that does not match the certificate) leaves the old context in place,
/// and the log says why.
public final class ServerTLS: Sendable {
    public let settings: TLSSettings
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var context: NIOSSLContext
        /// The files' bytes as last read, to notice a change without trusting mtimes
        /// (a Kubernetes secret changes by swapping a symlink; an editor may keep the size).
        var seen: TLSFiles
        var certificateExpires: Date
    }

    /// Reads and checks the files; a problem with any of them is a configuration error,
    /// named with its setting and path.
    public init(settings: TLSSettings, logger: Logger) throws(ConfigError) {
        self.settings = settings
        self.logger = logger
        let files = TLSFiles.read(settings)
        switch Self.makeContext(settings, files) {
        case .success(let made):
            state = Mutex(State(context: made.context, seen: files, certificateExpires: made.expires))
            if made.expires < Date() {
                logger.warning("the server certificate has expired: clients will refuse it",
                               metadata: ["path": "\(settings.certificatePath)", "not_after": "\(made.expires)"])
            }
        case .failure(let error):
            throw error
        }
    }

    /// The context a connection accepted now uses.
    public var context: NIOSSLContext { state.withLock { $0.context } }

    /// Clients must present a certificate from the client CA.
    public var requiresClientCertificate: Bool { settings.clientCAPath != nil }

    public enum ReloadOutcome: Equatable, Sendable {
        /// The files are as they were when last read.
        case unchanged
        case reloaded
        /// The new files were refused; the old context stays. The problems name each file.
        case refused([String])
    }

    /// Reads the files again and, when they changed (or `force`, as on SIGHUP), builds a
    /// new context from them and swaps it in. A refused set of files is logged once, not
    /// again at every check until the files change again.
    @discardableResult
    public func reload(force: Bool = false, reason: String) -> ReloadOutcome {
        let files = TLSFiles.read(settings)
        let changed = state.withLock { $0.seen != files }
        guard changed || force else { return .unchanged }
        switch Self.makeContext(settings, files) {
        case .success(let made):
            state.withLock { $0 = State(context: made.context, seen: files, certificateExpires: made.expires) }
            logger.info("TLS certificate loaded; new connections use it", metadata: [
                "trigger": "\(reason)", "path": "\(settings.certificatePath)", "not_after": "\(made.expires)"])
            return .reloaded
        case .failure(let error):
            state.withLock { $0.seen = files }
            logger.warning("TLS files not reloaded, keeping the certificate in use", metadata: [
                "trigger": "\(reason)", "problems": "\(error.problems.joined(separator: "; "))"])
            return .refused(error.problems)
        }
    }

    private struct Made {
        var context: NIOSSLContext
        var expires: Date
    }

    /// SPEC §8: TLS 1.3 only; with a client CA, a certificate from it is required (BoringSSL
    /// verifies the chain and its dates; the CA names are sent so a client can pick its certificate).
    private static func makeContext(_ settings: TLSSettings, _ files: TLSFiles) -> Result<Made, ConfigError> {
        typealias Key = ServiceConfig.Key
        var problems: [String] = []
        func named(_ key: String, _ path: String) -> String { "\(key) (\(path))" }

        var chain: [NIOSSLCertificate] = []
        switch files.certificate {
        case .failure(let error): problems.append("\(named(Key.tlsCert, settings.certificatePath)): \(error)")
        case .success(let bytes):
            chain = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
            if chain.isEmpty { problems.append("\(named(Key.tlsCert, settings.certificatePath)) holds no PEM certificate") }
        }
        var key: NIOSSLPrivateKey?
        switch files.key {
        case .failure(let error): problems.append("\(named(Key.tlsKey, settings.keyPath)): \(error)")
        case .success(let bytes):
            key = try? NIOSSLPrivateKey(bytes: bytes, format: .pem)
            if key == nil {
                problems.append("\(named(Key.tlsKey, settings.keyPath)) holds no unencrypted PEM private key")
            }
        }
        var clientCAs: [NIOSSLCertificate]?
        if let path = settings.clientCAPath, let result = files.clientCA {
            switch result {
            case .failure(let error): problems.append("\(named(Key.tlsClientCA, path)): \(error)")
            case .success(let bytes):
                let roots = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
                if roots.isEmpty { problems.append("\(named(Key.tlsClientCA, path)) holds no PEM certificate") }
                clientCAs = roots
            }
        }
        guard problems.isEmpty, let key, let leaf = chain.first else { return .failure(ConfigError(problems: problems)) }

        var configuration: TLSConfiguration
        if let clientCAs {
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key),
                trustRoots: .certificates(clientCAs))
            configuration.sendCANameList = true
        } else {
            configuration = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                     privateKey: .privateKey(key))
        }
        configuration.minimumTLSVersion = .tlsv13
        // A peer that does not answer our close_notify does not hold the connection long.
        configuration.shutdownTimeout = .seconds(2)
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return .success(Made(context: context, expires: Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))))
        } catch {
            let reasons = TLSErrorReason.reasons(of: error)
            // The key parsed above, so failing to load it now means it does not fit the certificate.
            if reasons.contains("KEY_VALUES_MISMATCH") || reasons.contains("failedToLoadPrivateKey") {
                problems.append("\(named(Key.tlsKey, settings.keyPath)) is not the key of \(named(Key.tlsCert, settings.certificatePath))")
            } else {
                problems.append("\(Key.tlsCert)/\(Key.tlsKey): TLS context refused: \(reasons.isEmpty ? "\(error)" : reasons.joined(separator: ", "))")
            }
            return .failure(ConfigError(problems: problems))
        }
    }
}

/// The bytes of the TLS files, or why one could not be read.
struct TLSFiles: Equatable {
    struct ReadError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    var certificate: Result<[UInt8], ReadError>
    var key: Result<[UInt8], ReadError>
    var clientCA: Result<[UInt8], ReadError>?

    static func read(_ settings: TLSSettings) -> TLSFiles {
        TLSFiles(certificate: read(settings.certificatePath), key: read(settings.keyPath),
                 clientCA: settings.clientCAPath.map(read))
    }

    /// At most 1 MiB: a PEM bundle is a few kilobytes, and a wrong path (a device, a log)
    /// must not be read whole every few seconds.
    private static func read(_ path: String) -> Result<[UInt8], ReadError> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return .failure(ReadError(description: exists ? "cannot be read (permissions?)" : "no such file"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: (1 << 20) + 1) ?? Data()
            guard data.count <= 1 << 20 else { return .failure(ReadError(description: "larger than 1 MiB: not a PEM file")) }
            return .success(Array(data))
        } catch {
            return .failure(ReadError(description: "cannot be read: \(error.localizedDescription)"))
        }
    }
}
