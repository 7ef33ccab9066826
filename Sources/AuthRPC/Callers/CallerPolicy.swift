import Foundation

/// Which caller may call which methods (SPEC §8, `AUTHRPC_POLICY_FILE`). A JSON file:
///
///     {
///       "callers": {
///         "spiffe://authrpc.local/gateway": ["*"],
///         "*": ["VerifyToken", "CheckGroups", "Health"]
///       }
///     }
///
/// A caller is named exactly as its identity (`CallerIdentity`: a certificate's URI SAN,
/// else DNS SAN, else CN), or `*` for every caller not named — including plaintext
/// connections, which have no identity. Methods are the RPC names of SPEC §4, or `*` for
/// all. A caller matching no entry, with no `*` entry, may call nothing.
///
/// Everything is checked when the file is read — an unknown method, a caller that is
/// not an identity (`spiffe://` without a workload, a wildcard pattern, control
/// characters), an unknown key — and every problem is named, so a typo fails start-up
/// (or a reload) instead of silently denying or allowing.
public struct CallerPolicy: Sendable, Equatable {
    /// Allowed methods per named caller, as a bit set over `Method`.
    private var byCaller: [String: UInt32]
    private var everyoneElse: UInt32

    /// Whether `caller` (nil: no identity) may call `method`.
    public func allows(_ caller: String?, _ method: Method) -> Bool {
        allowedMethods(for: caller) & Self.bit(method) != 0
    }

    func allowedMethods(for caller: String?) -> UInt32 {
        if let caller, let named = byCaller[caller] { return named }
        return everyoneElse
    }

    private static func bit(_ method: Method) -> UInt32 { 1 << UInt32(method.rawValue) }

    /// Reads and checks a policy file.
    public static func load(path: String) throws(CallerPolicyError) -> CallerPolicy {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CallerPolicyError(problems: ["cannot read \(path): \(error.localizedDescription)"])
        }
        return try parse(data, source: path)
    }

    static func parse(_ data: Data, source: String) throws(CallerPolicyError) -> CallerPolicy {
        let file: PolicyFile
        do { file = try JSONDecoder().decode(PolicyFile.self, from: data) } catch {
            throw CallerPolicyError(problems: ["\(source) is not valid JSON: it must hold an object with \"callers\""])
        }
        var problems = file.unknownKeys.sorted().map { "\(source): unknown key \"\($0)\" (only \"callers\")" }
        guard let callers = file.callers else {
            problems.append("\(source): \"callers\" must be an object of caller → list of methods")
            throw CallerPolicyError(problems: problems)
        }
        var policy = CallerPolicy(byCaller: [:], everyoneElse: 0)
        for (caller, value) in callers.sorted(by: { $0.key < $1.key }) {
            if let problem = Self.problem(withCaller: caller) {
                problems.append("\(source): caller \"\(caller.debugDescription.dropFirst().dropLast())\" \(problem)")
                continue
            }
            guard let names = value.names else {
                problems.append("\(source): caller \"\(caller)\" must map to a list of method names")
                continue
            }
            var allowed: UInt32 = 0
            for name in names {
                if name == "*" {
                    allowed |= Method.allCases.reduce(0) { $0 | bit($1) }
                } else if let method = Method(rpcName: name) {
                    allowed |= bit(method)
                } else {
                    problems.append("\(source): caller \"\(caller)\" names unknown method \"\(name)\" (known: \(Method.allCases.map(\.rpcName).joined(separator: ", ")), or *)")
                }
            }
            if caller == "*" { policy.everyoneElse = allowed } else { policy.byCaller[caller] = allowed }
        }
        if !problems.isEmpty { throw CallerPolicyError(problems: problems) }
        return policy
    }

    /// Why `caller` is not something an identity can equal; nil when it is fine.
    static func problem(withCaller caller: String) -> String? {
        if caller == "*" { return nil }
        if caller.isEmpty { return "is empty" }
        if caller.utf8.count > 1024 { return "is longer than 1024 bytes" }
        if caller.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "holds a control character"
        }
        if caller != caller.trimmingCharacters(in: .whitespaces) { return "starts or ends with a space" }
        if caller.contains("*") { return "holds a wildcard: name callers exactly, or use \"*\" alone for every other caller" }
        if caller.contains("://") {
            guard caller.hasPrefix("spiffe://") else { return "is a URI but not spiffe://trust-domain/workload" }
            let rest = caller.dropFirst("spiffe://".count)
            guard let slash = rest.firstIndex(of: "/") else { return "names no workload (spiffe://trust-domain/workload)" }
            let domain = rest[..<slash], path = rest[rest.index(after: slash)...]
            let domainOK = !domain.isEmpty && domain.allSatisfy {
                $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_")
            }
            if !domainOK { return "has a trust domain that is not lower-case letters, digits, '.', '-' or '_'" }
            if path.isEmpty || path.hasSuffix("/") || path.contains("//") { return "has an empty workload path segment" }
        }
        return nil
    }
}

/// The file as JSON gives it, read so that every mistake can be named rather than the
/// first one stopping the read.
private struct PolicyFile: Decodable {
    var callers: [String: MethodList]?
    var unknownKeys: [String]

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A caller's methods; nil when the value is not a list of strings.
    struct MethodList: Decodable {
        var names: [String]?
        init(from decoder: any Decoder) throws { names = try? [String](from: decoder) }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        unknownKeys = c.allKeys.map(\.stringValue).filter { $0 != "callers" }
        callers = try? c.decodeIfPresent([String: MethodList].self, forKey: AnyKey(stringValue: "callers"))
    }
}

public struct CallerPolicyError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}

extension Method {
    /// The RPC's name in SPEC §4 and in policy files.
    public var rpcName: String {
        switch self {
        case .health: "Health"
        case .register: "Register"
        case .confirmRegistration: "ConfirmRegistration"
        case .resendConfirmationCode: "ResendConfirmationCode"
        case .authenticate: "Authenticate"
        case .respondToChallenge: "RespondToChallenge"
        case .refreshTokens: "RefreshTokens"
        case .signOut: "SignOut"
        case .forgotPassword: "ForgotPassword"
        case .confirmForgotPassword: "ConfirmForgotPassword"
        case .verifyToken: "VerifyToken"
        case .checkGroups: "CheckGroups"
        }
    }

    public init?(rpcName: String) {
        guard let method = Method.allCases.first(where: { $0.rpcName == rpcName }) else { return nil }
        self = method
    }
}
