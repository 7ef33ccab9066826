"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.requireAuth = exports.sendFailure = void 0;
// Express / node:http middleware (SPEC §10): `requireAuth(options)` reads the
// Bearer token, asks authrpc, and either puts the verified claims on `req.auth`
// and calls next(), or answers 401 / 403 / 503 (+ Retry-After) itself. It never
// answers 500 for a bad token and never passes a request authrpc did not accept.
const auth_1 = require("./auth");
const REASONS = { 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable" };
/** Writes the refusal: status, headers, a small JSON body. */
function sendFailure(res, failure) {
    if (res.headersSent)
        return;
    res.statusCode = failure.statusCode;
    for (const [name, value] of Object.entries(failure.headers))
        res.setHeader(name, value);
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.end(JSON.stringify({
        statusCode: failure.statusCode,
        error: REASONS[failure.statusCode],
        message: failure.message,
        errorType: failure.errorType,
    }));
}
exports.sendFailure = sendFailure;
/**
 * `app.get("/orders", requireAuth({ client, allowedGroups: ["staff"] }), handler)`, or with
 * node:http: `requireAuth(opts)(req, res, () => handler(req, res))`.
 */
function requireAuth(options) {
    if (!options || !options.client)
        throw new TypeError("requireAuth: options.client (an AuthRpcClient) is required");
    return function authrpcRequireAuth(req, res, next) {
        (0, auth_1.authorize)(req, options).then((result) => {
            if (result.ok) {
                req.auth = result.auth;
                next();
            }
            else {
                res.statusCode = result.failure.statusCode;
                if (options.onFailure) {
                    for (const [name, value] of Object.entries(result.failure.headers))
                        res.setHeader(name, value);
                    options.onFailure(result.failure, req, res);
                }
                else {
                    sendFailure(res, result.failure);
                }
            }
        }, (err) => next(err));
    };
}
exports.requireAuth = requireAuth;
