"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Authorization = exports.Authentication = exports.AuthRpcGuard = exports.AuthRpcHttpError = void 0;
// A guard of NestJS's CanActivate shape on the same decision as requireAuth
// (SPEC §10), with the options of @nestjs-cognito/auth's decorators:
//
//   @UseGuards(Authentication(authrpc))                                    ~ @Authentication()
//   @UseGuards(Authorization(authrpc, ["admins"]))                         ~ @Authorization(["admins"])
//   @UseGuards(Authorization(authrpc, { allowedGroups, requiredGroups, prohibitedGroups }))
//
// Unlike @nestjs-cognito/auth, allowedGroups and requiredGroups both apply when both
// are given (authrpc's CheckGroups requires every rule given to hold).
//
// NestJS is not a dependency: the guard uses only the ExecutionContext methods it
// needs. A refused request throws an error carrying `statusCode` and `message` (and
// `getStatus()` / `getResponse()` like Nest's HttpException), which Nest's default
// exception filter answers with that status; Retry-After / WWW-Authenticate are set
// on the response first. `exceptionFactory` may return Nest's own exceptions instead.
const auth_1 = require("./auth");
/** What the guard throws: Nest's exception filter answers with `statusCode`. */
class AuthRpcHttpError extends Error {
    statusCode;
    failure;
    constructor(failure) {
        super(failure.message);
        this.name = "AuthRpcHttpError";
        this.statusCode = failure.statusCode;
        this.failure = failure;
    }
    getStatus() {
        return this.statusCode;
    }
    getResponse() {
        return { statusCode: this.statusCode, message: this.message, errorType: this.failure.errorType };
    }
}
exports.AuthRpcHttpError = AuthRpcHttpError;
class AuthRpcGuard {
    options;
    exceptionFactory;
    constructor(client, options = {}) {
        const { exceptionFactory, ...rest } = options;
        this.options = { ...rest, client };
        this.exceptionFactory = exceptionFactory ?? ((failure) => new AuthRpcHttpError(failure));
    }
    /** NestJS CanActivate: true with `req.auth` set, else throws (never answers 500 for a bad token). */
    async canActivate(context) {
        const http = context.switchToHttp();
        const req = http.getRequest();
        const result = await (0, auth_1.authorize)(req, this.options);
        if (result.ok) {
            req.auth = result.auth;
            return true;
        }
        const res = http.getResponse();
        if (res && typeof res.setHeader === "function" && !res.headersSent) {
            for (const [name, value] of Object.entries(result.failure.headers))
                res.setHeader(name, value);
        }
        throw this.exceptionFactory(result.failure);
    }
}
exports.AuthRpcGuard = AuthRpcGuard;
/** ~ @nestjs-cognito/auth's @Authentication(): any valid token (of `tokenUse`, with `scopes`). */
function Authentication(client, options = {}) {
    return new AuthRpcGuard(client, options);
}
exports.Authentication = Authentication;
/** ~ @nestjs-cognito/auth's @Authorization(): a list means allowedGroups; every rule given applies. */
function Authorization(client, groups) {
    const options = Array.isArray(groups) ? { allowedGroups: groups } : groups;
    const any = (options.allowedGroups?.length ?? 0) + (options.requiredGroups?.length ?? 0) + (options.prohibitedGroups?.length ?? 0);
    if (any === 0)
        throw new TypeError("Authorization: give allowedGroups, requiredGroups or prohibitedGroups");
    return new AuthRpcGuard(client, options);
}
exports.Authorization = Authorization;
