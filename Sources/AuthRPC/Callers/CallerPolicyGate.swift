public import Logging
public import NIOCore
import NIOPosix
import Synchronization
public import Wire

/// The caller policy (`CallerPolicy`) as a `CallInterceptor`: a request outside it is
/// answered `PERMISSION_DENIED` / `CallerNotAllowed`, naming the method. The audit line
/// of the denial is `AuditLog`'s, written when the answer is, with the fields every
/// request line has.
///
/// The policy can be replaced while serving (`reload`, on SIGHUP): a file that does not
/// check keeps the policy in force and says why. Every request asks the policy, so the
/// answer for a connection's caller is memoized per thread and re-read only when the
/// policy changes — an atomic load and a string compare, no lock.
public final class CallerPolicyGate: CallInterceptor {
    private let path: String?
    private let current: Mutex<CallerPolicy>
    private let generation = Atomic<UInt64>(1)
    private let logger: Logger

    /// The error type of a denial, which `AuditLog` recognizes.
    public static let deniedErrorType = "CallerNotAllowed"

    /// Per-thread memo of the last caller's allowed methods.
    private final class Memo {
        var generation: UInt64 = 0
        var owner: ObjectIdentifier?
        var caller: String?
        var allowed: UInt32 = 0
    }
    /// Each thread sees only its own memo, which never leaves it: hence unchecked.
    private nonisolated(unsafe) static let memos = ThreadSpecificVariable<Memo>()

    private static var memo: Memo {
        if let mine = memos.currentValue { return mine }
        let made = Memo()
        memos.currentValue = made
        return made
    }

    /// `path`, when given, is what `reload` reads again.
    public init(policy: CallerPolicy, path: String? = nil, logger: Logger) {
        self.current = Mutex(policy)
        self.path = path
        self.logger = logger
    }

    public func admit(_ call: Call, request: Request) -> Response? {
        guard let method = call.method else { return nil }
        let caller = call.connection.caller?.name
        guard allowedMethods(for: caller) & (1 << UInt32(method.rawValue)) == 0 else { return nil }
        return .failure(id: call.requestID, .permissionDenied, errorType: Self.deniedErrorType,
                        message: "this caller may not call \(method.rpcName)")
    }

    private func allowedMethods(for caller: String?) -> UInt32 {
        let now = generation.load(ordering: .acquiring)
        let owner = ObjectIdentifier(self)
        let memo = Self.memo
        if memo.generation == now, memo.owner == owner, memo.caller == caller { return memo.allowed }
        let allowed = current.withLock { $0.allowedMethods(for: caller) }
        memo.generation = now
        memo.owner = owner
        memo.caller = caller
        memo.allowed = allowed
        return allowed
    }

    /// Reads the policy file again. A file that does not check changes nothing: the error
    /// is logged and returned.
    @discardableResult
    public func reload() -> Result<Void, CallerPolicyError> {
        guard let path else { return .success(()) }
        do {
            let fresh = try CallerPolicy.load(path: path)
            current.withLock { $0 = fresh }
            generation.add(1, ordering: .releasing)
            logger.info("caller policy reloaded", metadata: ["file": "\(path)"])
            return .success(())
        } catch {
            logger.error("caller policy not reloaded; the previous one stays in force",
                         metadata: ["file": "\(path)", "problems": "\(error.description)"])
            return .failure(error)
        }
    }
}
