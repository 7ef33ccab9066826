public import NIOCore
public import Wire

/// CheckGroups (SPEC §4, §6): verify the token exactly as VerifyToken does, then apply the
/// group rules to its `cognito:groups`.
///
/// A request with no rule at all is refused first, before any verification: it is the
/// caller's mistake whatever the token (INVALID_ARGUMENT, `NoGroupRules`).
public struct CheckGroupsMethod: MethodHandler {
    public let verifier: TokenVerifier

    public init(verifier: TokenVerifier) { self.verifier = verifier }

    public func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard case .checkGroups(let body)? = request.body else {
            return .now(.failure(id: request.id, .invalidArgument, errorType: "MalformedRequest",
                                 message: "check_groups handler got another request type"))
        }
        let id = request.id
        let rules = GroupRules(allowed: body.allowedGroups, required: body.requiredGroups, prohibited: body.prohibitedGroups)
        guard !rules.isEmpty else {
            return .now(VerificationError(.noGroupRules, "give at least one of allowed_groups, required_groups, prohibited_groups")
                .response(id: id))
        }
        @Sendable func answer(_ result: Result<VerifiedToken, VerificationError>) -> Response {
            switch result {
            case .failure(let error):
                return error.response(id: id)
            case .success(let verified):
                let claims = verified.claims
                switch rules.evaluate(userGroups: claims.groups) {
                case .success(let matched):
                    return Response(id: id, body: .checkGroups(CheckGroupsResponse(claims: claims, matchedGroups: matched)))
                case .failure(let error):
                    return error.response(id: id)
                }
            }
        }
        return verifier.reply(to: body.token, tokenUse: body.tokenUse, on: eventLoop, answer)
    }
}
