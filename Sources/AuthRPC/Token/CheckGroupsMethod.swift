public import TokenVerification
public import Wire

extension AuthRPCService {
    /// CheckGroups (SPEC §4, §6): verify the token exactly as VerifyToken does, then apply the
    /// group rules to its `cognito:groups`.
    ///
    /// A request with no rule at all is refused first, before any verification: it is the
    /// caller's mistake whatever the token (INVALID_ARGUMENT, `NoGroupRules`).
    public func checkGroups(_ request: CheckGroupsRequest, context: RequestContext) -> MethodReply<CheckGroupsResponse> {
        let rules = GroupRules(allowed: request.allowedGroups, required: request.requiredGroups,
                               prohibited: request.prohibitedGroups)
        guard !rules.isEmpty else {
            return .failure(VerificationError(.noGroupRules, "give at least one of allowed_groups, required_groups, prohibited_groups")
                .rpcError)
        }
        return verifier.reply(to: request.token, tokenUse: request.tokenUse, on: context.eventLoop,
                              background: background) { result in
            switch result {
            case .failure(let error):
                return .failure(error.rpcError)
            case .success(let verified):
                let claims = Claims(verified.claims)
                switch rules.evaluate(userGroups: claims.groups) {
                case .success(let matched):
                    return .success(CheckGroupsResponse(claims: claims, matchedGroups: matched))
                case .failure(let error):
                    return .failure(error.rpcError)
                }
            }
        }
    }
}
