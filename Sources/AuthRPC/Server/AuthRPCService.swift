public import TokenVerification
import Wire

/// The service this server runs: every RPC of SPEC §4 (`AuthRPCServiceProtocol`, generated
/// from the proto). The methods live beside what they use, as extensions: Health here,
/// VerifyToken and CheckGroups in Token/, the account RPCs in Cognito/.
public struct AuthRPCService: AuthRPCServiceProtocol {
    /// Health's report: version, uptime, each pool's keys.
    public let healthReport: HealthMethod
    /// VerifyToken and CheckGroups: local verification (SPEC §6).
    public let verifier: TokenVerifier
    /// The account RPCs: calls to Cognito (SPEC §5), one client and so one concurrency limit.
    public let cognito: CognitoClient
    /// Where a token waits for its issuer's keys to be refetched (an unknown kid).
    public let background: BackgroundWork

    public init(health: HealthMethod, verifier: TokenVerifier, cognito: CognitoClient) {
        self.healthReport = health
        self.verifier = verifier
        self.cognito = cognito
        self.background = cognito.background
    }

    public func health(_ request: HealthRequest, context: RequestContext) -> MethodReply<HealthResponse> {
        healthReport.answer(request)
    }
}
