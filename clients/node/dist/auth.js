"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.authorize = exports.bearerToken = void 0;
// The decision the middleware and the guard share (SPEC §10): from an
// Authorization header to either the verified claims or the HTTP answer to give.
//
//   no / garbled Bearer header, UNAUTHENTICATED, INVALID_ARGUMENT   → 401
//   PERMISSION_DENIED (MissingScope, GroupCheckFailed, ...)         → 403
//   UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, a transport
//   failure, any other status                                        → 503 + Retry-After
//
// It fails closed: nothing but an OK answer from authrpc lets a request through.
const authrpc_pb_1 = require("./authrpc_pb");
const errors_1 = require("./errors");
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;
/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
function bearerToken(req) {
    const value = req.headers["authorization"];
    if (typeof value !== "string")
        return undefined;
    const m = BEARER.exec(value);
    return m ? m[1] : undefined;
}
exports.bearerToken = bearerToken;
function tokenUseOf(use) {
    switch (use) {
        case undefined:
        case "any": return authrpc_pb_1.TokenUse.TOKEN_USE_ANY;
        case "id": return authrpc_pb_1.TokenUse.TOKEN_USE_ID;
        case "access": return authrpc_pb_1.TokenUse.TOKEN_USE_ACCESS;
        default: return use;
    }
}
/** Checks one request against the options; never throws. */
async function authorize(req, options) {
    const token = bearerToken(req);
    if (token === undefined) {
        const garbled = req.headers["authorization"] !== undefined;
        return fail(401, garbled ? "the Authorization header is not a Bearer token" : "a Bearer token is required", garbled ? "MalformedHeader" : "MissingToken", options, garbled ? 'Bearer error="invalid_request"' : "Bearer");
    }
    const tokenUse = tokenUseOf(options.tokenUse);
    const callOptions = options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs };
    const groups = {
        allowedGroups: options.allowedGroups ?? [],
        requiredGroups: options.requiredGroups ?? [],
        prohibitedGroups: options.prohibitedGroups ?? [],
    };
    const scopes = options.scopes ?? [];
    const checkGroups = groups.allowedGroups.length + groups.requiredGroups.length + groups.prohibitedGroups.length > 0;
    try {
        if (!checkGroups) {
            const answer = await options.client.verifyToken({ token, tokenUse, requiredScopes: scopes }, callOptions);
            return ok(answer.claims, [], token);
        }
        // CheckGroupsRequest has no required_scopes: with scopes too, both calls go out
        // together (pipelined; the second hits the server's verified-token cache) and both must pass.
        const [grouped] = await Promise.all([
            options.client.checkGroups({ token, tokenUse, ...groups }, callOptions),
            scopes.length > 0 ? options.client.verifyToken({ token, tokenUse, requiredScopes: scopes }, callOptions) : undefined,
        ]);
        return ok(grouped.claims, grouped.matchedGroups, token);
    }
    catch (err) {
        return failureOf(err, options);
    }
}
exports.authorize = authorize;
function ok(claims, matchedGroups, token) {
    if (claims === undefined) {
        // An OK answer without claims would be a server bug; do not let the request through.
        return { ok: false, failure: { statusCode: 503, headers: { "Retry-After": "1" }, message: "authrpc answered without claims", errorType: "NoClaims" } };
    }
    let payload;
    const auth = {
        claims,
        matchedGroups,
        token,
        get payload() {
            if (payload === undefined) {
                try {
                    payload = JSON.parse(claims.payloadJson);
                }
                catch {
                    payload = {};
                }
            }
            return payload;
        },
    };
    return { ok: true, auth };
}
function failureOf(err, options) {
    if (err instanceof errors_1.AuthRpcError) {
        switch (err.status) {
            case "UNAUTHENTICATED":
            case "INVALID_ARGUMENT":
                return fail(401, "the token was refused", err.errorType, options, 'Bearer error="invalid_token"', err);
            case "PERMISSION_DENIED":
                return fail(403, err.errorType === "MissingScope" ? "the token lacks a required scope" : "not allowed", err.errorType, options, err.errorType === "MissingScope" ? 'Bearer error="insufficient_scope"' : undefined, err);
            default:
                return unavailable(err.errorType || err.status, options, err, err.retryAfterMs);
        }
    }
    if (err instanceof errors_1.TransportError)
        return unavailable("Unreachable", options, err, 0);
    return unavailable("ClientError", options, err, 0);
}
function unavailable(errorType, options, cause, retryAfterMs) {
    const seconds = retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : (options.retryAfterSeconds ?? 1);
    return {
        ok: false,
        failure: { statusCode: 503, headers: { "Retry-After": String(seconds) }, message: "authentication is unavailable, retry later", errorType, cause },
    };
}
function fail(statusCode, message, errorType, options, wwwAuthenticate, cause) {
    void options;
    const headers = {};
    if (wwwAuthenticate)
        headers["WWW-Authenticate"] = wwwAuthenticate;
    return { ok: false, failure: { statusCode, headers, message, errorType, cause } };
}
