// requireAuth through a real Express app (Debian's node-express) and through
// node:http, and the NestJS-shaped guard through an ExecutionContext-shaped
// object on a real node:http request (SPEC §10).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const h = require("./helpers");
const {
  AuthRpcClient, requireAuth, AuthRpcGuard, Authentication, Authorization, AuthRpcHttpError, claimsToJson, bearerToken,
} = require("..");

/** Listens on a free loopback port; resolves to { url, close }. */
async function listen(handler) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function get(url, token, headerValue) {
  const headers = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (headerValue !== undefined) headers.authorization = headerValue;
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

/** What Nest's BaseExceptionFilter does with an error that is not an HttpException but has statusCode + message. */
function nestLikeFilter(res, err) {
  if (err && typeof err.statusCode === "number" && err.message) {
    res.statusCode = err.statusCode;
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ statusCode: err.statusCode, message: err.message }));
  } else {
    res.statusCode = 500;
    res.end(JSON.stringify({ statusCode: 500, message: "Internal server error" }));
  }
}

/** A node:http server whose route runs `guard` through an ExecutionContext-shaped object, as Nest would. */
function guardedServer(guard) {
  return listen(async (req, res) => {
    const context = {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => undefined }),
      getHandler: () => guardedServer,
      getClass: () => Object,
      getType: () => "http",
      getArgs: () => [req, res],
    };
    try {
      if (!(await guard.canActivate(context))) {
        res.statusCode = 403; // Nest's answer to `false`
        res.end();
        return;
      }
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ username: req.auth.claims.username, groups: req.auth.claims.groups, matched: req.auth.matchedGroups }));
    } catch (err) {
      nestLikeFilter(res, err);
    }
  });
}

test("bearerToken reads only well-formed Bearer headers", () => {
  assert.equal(bearerToken({ headers: { authorization: "Bearer abc.def-_~+/=" } }), "abc.def-_~+/=");
  assert.equal(bearerToken({ headers: { authorization: "bearer   a.b.c " } }), "a.b.c");
  assert.equal(bearerToken({ headers: { authorization: "Basic dXNlcjpwYXNz" } }), undefined);
  assert.equal(bearerToken({ headers: { authorization: "Bearer a b" } }), undefined);
  assert.equal(bearerToken({ headers: { authorization: "Bearer" } }), undefined);
  assert.equal(bearerToken({ headers: {} }), undefined);
});

test("authrpc unreachable: 503 with Retry-After, the handler never runs (node:http)", async () => {
  const port = await h.freePort();
  const client = new AuthRpcClient({ addresses: `127.0.0.1:${port}` });
  let reached = false;
  const mw = requireAuth({ client, allowedGroups: ["admins"] });
  const app = await listen((req, res) => mw(req, res, () => { reached = true; res.end("secret"); }));
  try {
    const r = await get(app.url, "a.b.c");
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "1");
    assert.equal(r.body.errorType, "Unreachable");
    assert.equal((await get(app.url)).status, 401); // no token: 401 without asking anyone
    assert.equal(reached, false);
  } finally {
    await app.close();
    client.destroy();
  }
});

test("the guard with authrpc unreachable throws a 503 error and sets Retry-After", async () => {
  const port = await h.freePort();
  const client = new AuthRpcClient({ addresses: `127.0.0.1:${port}` });
  const app = await guardedServer(Authentication(client, { retryAfterSeconds: 7 }));
  try {
    const r = await get(app.url, "a.b.c");
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "7");
  } finally {
    await app.close();
    client.destroy();
  }
});

test.describe("with a live authrpc", { skip: h.skipLive }, () => {
  let client;
  let admin; // in group admins (fresh users: sign-ins are rate-limited per username)
  let demo; // admin's tokens
  let staff; // in group staff
  test.before(async () => {
    client = await h.liveClient();
    admin = await h.signedInUser(client, "mw-admin", ["admins"]);
    demo = admin.tokens;
    staff = (await h.signedInUser(client, "mw", ["staff"])).tokens;
  });
  test.after(() => client.close());

  test("Express: 200 with claims on req.auth; 401; 403; never 500 for a bad token", async () => {
    const express = h.requireExpress();
    const app = express();
    app.get("/me", requireAuth({ client, tokenUse: "access" }), (req, res) => res.json({ claims: claimsToJson(req.auth.claims), sub: req.auth.payload.sub }));
    app.get("/admin", requireAuth({ client, allowedGroups: ["admins"] }), (req, res) => res.json({ matched: req.auth.matchedGroups }));
    app.get("/both", requireAuth({ client, allowedGroups: ["admins", "staff"], requiredGroups: ["staff"] }), (req, res) => res.json({ ok: true }));
    app.get("/no-admins", requireAuth({ client, prohibitedGroups: ["admins"] }), (req, res) => res.json({ ok: true }));
    app.get("/scoped", requireAuth({ client, tokenUse: "access", scopes: ["openid"] }), (req, res) => res.json({ ok: true }));
    app.get("/id-only", requireAuth({ client, tokenUse: "id", allowedGroups: ["staff"], scopes: [] }), (req, res) => res.json({ email: req.auth.claims.email }));
    app.use((err, req, res, next) => { void next; res.status(500).json({ error: String(err) }); });
    const server = await new Promise((r) => { const s = app.listen(0, "127.0.0.1", () => r(s)); });
    const url = `http://127.0.0.1:${server.address().port}`;
    try {
      const me = await get(`${url}/me`, demo.accessToken);
      assert.equal(me.status, 200);
      assert.equal(me.body.claims.username, admin.username);
      assert.equal(me.body.claims.token_use, "TOKEN_USE_ACCESS");
      assert.equal(me.body.sub, me.body.claims.sub);

      for (const [path, token, status, errorType] of [
        ["/me", undefined, 401, "MissingToken"],
        ["/me", "not-a-token", 401, "MalformedToken"],
        ["/me", demo.idToken, 401, "WrongTokenUse"],
        ["/me", `${demo.accessToken.slice(0, -4)}AAAA`, 401, "BadSignature"],
        ["/admin", staff.accessToken, 403, "GroupCheckFailed"],
        ["/both", demo.accessToken, 403, "GroupCheckFailed"], // allowed but not required: both rules apply
        ["/no-admins", demo.accessToken, 403, "GroupCheckFailed"],
        ["/scoped", demo.accessToken, 403, "MissingScope"],
        ["/id-only", staff.accessToken, 401, "WrongTokenUse"],
      ]) {
        const r = await get(`${url}${path}`, token);
        assert.equal(r.status, status, `${path} ${errorType}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.errorType, errorType, path);
        assert.equal(r.body.statusCode, status);
        if (status === 401) assert.match(r.headers.get("www-authenticate"), /^Bearer/);
        assert.ok(!JSON.stringify(r.body).includes(demo.accessToken.slice(0, 40)), "the token is not echoed");
      }
      const garbled = await get(`${url}/me`, undefined, "Basic dXNlcjpwYXNz");
      assert.equal(garbled.status, 401);
      assert.equal(garbled.body.errorType, "MalformedHeader");

      assert.deepEqual((await get(`${url}/admin`, demo.accessToken)).body, { matched: ["admins"] });
      assert.deepEqual((await get(`${url}/both`, staff.accessToken)).body, { ok: true });
      assert.deepEqual((await get(`${url}/no-admins`, staff.accessToken)).body, { ok: true });
      assert.equal((await get(`${url}/id-only`, staff.idToken)).body.email.endsWith("@example.com"), true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("node:http: the same middleware without Express; a custom onFailure", async () => {
    const mw = requireAuth({
      client, tokenUse: "access", allowedGroups: ["staff"],
      onFailure: (failure, req, res) => res.end(`no: ${failure.errorType}`),
    });
    const app = await listen((req, res) => mw(req, res, () => res.end(`hello ${req.auth.claims.groups.join(",")}`)));
    try {
      const ok = await get(app.url, staff.accessToken);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, "hello staff");
      const denied = await get(app.url, demo.accessToken);
      assert.equal(denied.status, 403);
      assert.equal(denied.body, "no: GroupCheckFailed");
      const bad = await get(app.url, "x.y.z");
      assert.equal(bad.status, 401);
      assert.equal(bad.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    } finally {
      await app.close();
    }
  });

  test("guard: Authentication / Authorization like @nestjs-cognito/auth, through an ExecutionContext", async () => {
    const authn = await guardedServer(Authentication(client, { tokenUse: "id" }));
    const authz = await guardedServer(Authorization(client, ["admins"]));
    const both = await guardedServer(Authorization(client, { allowedGroups: ["admins", "staff"], requiredGroups: ["staff"], prohibitedGroups: ["banned"] }));
    const custom = await guardedServer(new AuthRpcGuard(client, {
      allowedGroups: ["admins"],
      exceptionFactory: (failure) => Object.assign(new Error(`custom ${failure.errorType}`), { statusCode: failure.statusCode === 403 ? 404 : failure.statusCode }),
    }));
    try {
      assert.equal((await get(authn.url, demo.idToken)).body.username, admin.username);
      const wrongUse = await get(authn.url, demo.accessToken);
      assert.equal(wrongUse.status, 401);
      assert.equal((await get(authn.url)).status, 401);

      const asAdmin = await get(authz.url, demo.accessToken);
      assert.deepEqual(asAdmin.body.matched, ["admins"]);
      const notAdmin = await get(authz.url, staff.accessToken);
      assert.equal(notAdmin.status, 403);
      assert.equal(notAdmin.body.message, "not allowed");

      assert.equal((await get(both.url, demo.accessToken)).status, 403); // allowed, but required "staff" is missing
      assert.equal((await get(both.url, staff.accessToken)).status, 200);

      const hidden = await get(custom.url, staff.accessToken);
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.message, "custom GroupCheckFailed");
      assert.equal((await get(custom.url, "bad.to.ken")).status, 401);
    } finally {
      await Promise.all([authn.close(), authz.close(), both.close(), custom.close()]);
    }
  });

  test("the guard's error looks like Nest's HttpException", async () => {
    const guard = Authorization(client, { requiredGroups: ["admins"] });
    const req = { headers: { authorization: `Bearer ${staff.accessToken}` } };
    const headers = {};
    const res = { headersSent: false, setHeader: (n, v) => { headers[n] = v; } };
    const ctx = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) };
    await assert.rejects(guard.canActivate(ctx), (err) => {
      assert.ok(err instanceof AuthRpcHttpError);
      assert.equal(err.getStatus(), 403);
      assert.deepEqual(err.getResponse(), { statusCode: 403, message: "not allowed", errorType: "GroupCheckFailed" });
      return true;
    });
    req.headers.authorization = `Bearer ${demo.accessToken}`;
    assert.equal(await guard.canActivate(ctx), true);
    assert.equal(req.auth.claims.username, admin.username);
    assert.throws(() => Authorization(client, []), TypeError);
  });
});
