import { Claims, TokenUse } from "./authrpc_pb";
import type { AuthRpcClient } from "./client";
export declare type TokenUseName = "id" | "access" | "any";
export interface AuthOptions {
    /** The client that asks authrpc. */
    client: AuthRpcClient;
    /** Which token the route takes (default "any": id or access, as the server's default). */
    tokenUse?: TokenUseName | TokenUse;
    /** Scopes the access token must all carry (SPEC §6 step 9). */
    scopes?: string[];
    /** The user must be in at least one of these groups. */
    allowedGroups?: string[];
    /** The user must be in every one of these groups. */
    requiredGroups?: string[];
    /** The user must be in none of these groups. */
    prohibitedGroups?: string[];
    /** Deadline of the authrpc call in ms (default: the client's). */
    deadlineMs?: number;
    /** Retry-After (seconds) on a 503 when authrpc gave no retry_after_ms (default 1). */
    retryAfterSeconds?: number;
}
/** What a verified request carries (`req.auth`). */
export interface AuthInfo {
    /** The verified claims (SPEC §4 Claims). 64-bit fields are bigint; `claimsToJson` gives a JSON-safe view. */
    claims: Claims;
    /** The groups that satisfied allowedGroups/requiredGroups (empty without group rules). */
    matchedGroups: string[];
    /** The bearer token as received. */
    token: string;
    /** The token's JWT payload as signed (parsed from claims.payloadJson on first use). */
    readonly payload: {
        [claim: string]: unknown;
    };
}
/** The HTTP answer for a request that does not pass. */
export interface AuthFailure {
    statusCode: 401 | 403 | 503;
    /** Headers to set: WWW-Authenticate (RFC 6750) on 401/403, Retry-After on 503. */
    headers: {
        [name: string]: string;
    };
    /** A short reason safe to show the caller (never the token). */
    message: string;
    /** authrpc's error_type, or "MissingToken", "Unreachable" ("" when none). */
    errorType: string;
    /** The error behind it, for logs (absent for a missing header). */
    cause?: unknown;
}
export declare type AuthResult = {
    ok: true;
    auth: AuthInfo;
} | {
    ok: false;
    failure: AuthFailure;
};
/** Headers as node:http, Express and NestJS requests carry them. */
export interface HeaderBag {
    headers: {
        [name: string]: string | string[] | undefined;
    };
}
/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export declare function bearerToken(req: HeaderBag): string | undefined;
/** Checks one request against the options; never throws. */
export declare function authorize(req: HeaderBag, options: AuthOptions): Promise<AuthResult>;
