// Deadlines, aborts, dropped connections, reconnects and address lists (SPEC §3, §9, §10):
// against fake servers (exact control of what the server does) and against
// authrpc processes of the test's own (a real restart).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");
const {
  AuthRpcClient, AuthRpcError, DeadlineExceededError, TransportError, ClientClosedError, NotFoundError,
  UnavailableError, ResourceExhaustedError, PermissionDeniedError, ProtocolError, Status, TokenUse,
} = require("..");

test.describe("against a fake server", () => {
  test("each call gets its own answer, whatever the order answers come in", async () => {
    const pending = [];
    const server = await h.fakeServer((req, socket, write) => {
      pending.push([req, write]);
      if (pending.length === 50) {
        // answer in reverse order, each with the token it was asked about
        for (const [r, w] of pending.reverse()) {
          w({ id: r.id, body: { case: "verifyToken", value: { claims: { sub: r.body.value.token } } } });
        }
      }
    });
    const client = new AuthRpcClient({ addresses: server.address });
    try {
      const got = await Promise.all(Array.from({ length: 50 }, (_, i) => client.verifyToken({ token: `t${i}` })));
      got.forEach((answer, i) => assert.equal(answer.claims.sub, `t${i}`));
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test("the deadline is sent as deadline_ms and enforced locally; a late answer is ignored", async () => {
    const seen = [];
    const server = await h.fakeServer((req, socket, write) => {
      seen.push(req);
      // the first call is answered long after its deadline; the others at once
      setTimeout(() => write({ id: req.id, body: { case: "health", value: {} } }), seen.length === 1 ? 800 : 0);
    });
    const client = new AuthRpcClient({ addresses: server.address, deadlineMs: 5000 });
    try {
      const started = Date.now();
      await assert.rejects(client.health({}, { deadlineMs: 100 }), (err) => {
        assert.ok(err instanceof DeadlineExceededError && err instanceof AuthRpcError);
        assert.equal(err.status, "DEADLINE_EXCEEDED");
        assert.equal(err.errorType, "ClientDeadline");
        return true;
      });
      assert.ok(Date.now() - started < 600);
      assert.ok(seen[0].deadlineMs > 0 && seen[0].deadlineMs <= 100);
      assert.ok(await client.health());
      assert.ok(seen[1].deadlineMs > 4000 && seen[1].deadlineMs <= 5000);
      await client.health({}, { deadlineMs: 0 });
      assert.equal(seen[2].deadlineMs, 0);
      await h.sleep(900 - (Date.now() - started)); // the first call's answer has come and gone
      assert.ok(await client.health());
      assert.equal(seen.length, 4);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test("an AbortSignal rejects the call with its reason", async () => {
    const server = await h.fakeServer(() => {}); // never answers
    const client = new AuthRpcClient({ addresses: server.address });
    try {
      const controller = new AbortController();
      const call = client.health({}, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error("user went away")), 20);
      await assert.rejects(call, /user went away/);
      await assert.rejects(client.health({}, { signal: AbortSignal.abort() }), { name: "AbortError" });
      await assert.rejects(client.health({}, { signal: AbortSignal.timeout(30) }), { name: "TimeoutError" });
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test("a dropped connection: account calls in flight fail with a transport error, read-only ones go again", async () => {
    for (const retryReadOnly of [true, false]) {
      let first;
      const server = await h.fakeServer((req, socket, write) => {
        first ??= socket;
        if (socket === first) {
          setTimeout(() => socket.destroy(), 20); // the calls in flight on it
          return;
        }
        write({ id: req.id, body: req.body.case === "health" ? { case: "health", value: { version: "again" } } : { case: "signOut", value: {} } });
      });
      const client = new AuthRpcClient({ addresses: server.address, retryReadOnly });
      try {
        const calls = [client.health(), client.signOut({ accessToken: "x" }), client.health()];
        const settled = await Promise.allSettled(calls);
        assert.ok(settled[1].reason instanceof TransportError && !(settled[1].reason instanceof AuthRpcError));
        for (const r of [settled[0], settled[2]]) {
          if (retryReadOnly) assert.equal(r.value.version, "again");
          else assert.ok(r.reason instanceof TransportError);
        }
        assert.equal((await client.health()).version, "again"); // reconnected
        assert.equal(server.sockets.size, 1);
      } finally {
        client.destroy();
        await server.close();
      }
    }
  });

  test("no server at all: calls fail fast with a transport error, never hang", async () => {
    const port = await h.freePort();
    const client = new AuthRpcClient({ addresses: `127.0.0.1:${port}`, deadlineMs: 10_000 });
    try {
      const started = Date.now();
      await assert.rejects(client.health(), (err) => err instanceof TransportError && /ECONNREFUSED/.test(err.message));
      await assert.rejects(client.health(), TransportError); // during backoff: the next round fails too
      assert.ok(Date.now() - started < 3000);
    } finally {
      client.destroy();
    }
  });

  test("two addresses, the first down: calls go to the second", async () => {
    const down = await h.freePort();
    const server = await h.fakeServer((req, socket, write) => write({ id: req.id, body: { case: "health", value: { version: "up" } } }));
    for (let i = 0; i < 4; i++) { // whichever address the client starts with
      const client = new AuthRpcClient({ addresses: [`127.0.0.1:${down}`, server.address] });
      try {
        assert.equal((await client.health()).version, "up");
        assert.equal(client.connectedAddress, server.address);
      } finally {
        client.destroy();
      }
    }
    await server.close();
  });

  test("a draining replica (ShuttingDown): read-only calls go again to the next address, others fail", async () => {
    let drainingAnswers = 0;
    const a = await h.fakeServer((req, socket, write) => {
      drainingAnswers++;
      write({ id: req.id, status: Status.UNAVAILABLE, errorType: "ShuttingDown", message: "the server is shutting down" });
    });
    const b = await h.fakeServer((req, socket, write) => write({ id: req.id, body: req.body.case === "verifyToken"
      ? { case: "verifyToken", value: { claims: { sub: req.body.value.token } } } : { case: "health", value: { version: "b" } } }));
    const client = new AuthRpcClient({ addresses: [a.address] });
    const both = new AuthRpcClient({ addresses: [a.address, b.address] });
    try {
      // one address: nowhere else to go; the retry finds no listener... here A still listens and drains again
      await assert.rejects(client.health(), (err) => err instanceof UnavailableError && err.errorType === "ShuttingDown");
      for (let i = 0; i < 4; i++) { // whichever address it starts with
        const c = new AuthRpcClient({ addresses: [a.address, b.address] });
        const got = await Promise.all([c.verifyToken({ token: "t1" }), c.verifyToken({ token: "t2" }), c.health()]);
        assert.deepEqual([got[0].claims.sub, got[1].claims.sub, got[2].version], ["t1", "t2", "b"]);
        assert.equal(c.connectedAddress, b.address);
        c.destroy();
      }
      // an account RPC is not sent twice: the caller decides
      await h.sleep(10);
      const start = drainingAnswers;
      const c = new AuthRpcClient({ addresses: [a.address, b.address] });
      c["cursor"] = 0; // start at A
      await assert.rejects(c.signOut({ accessToken: "x" }), (err) => err instanceof UnavailableError && err.errorType === "ShuttingDown");
      assert.equal(drainingAnswers, start + 1);
      c.destroy();
    } finally {
      client.destroy();
      both.destroy();
      await a.close();
      await b.close();
    }
  });

  test("non-OK statuses map to their error classes", async () => {
    const answers = {
      a: { status: Status.NOT_FOUND, errorType: "UserNotFoundException", message: "no such user" },
      b: { status: Status.UNAVAILABLE, errorType: "CognitoUnavailable", retryAfterMs: 1500 },
      c: { status: Status.RESOURCE_EXHAUSTED, errorType: "RateLimited", retryAfterMs: 250 },
      d: { status: Status.PERMISSION_DENIED, errorType: "CallerNotAllowed" },
      e: { status: Status.INTERNAL, errorType: "" },
      f: { status: Status.DEADLINE_EXCEEDED, errorType: "" },
    };
    const server = await h.fakeServer((req, socket, write) => write({ id: req.id, ...answers[req.body.value.username] }));
    const client = new AuthRpcClient({ addresses: server.address });
    try {
      const err = (u) => client.forgotPassword({ username: u }).then(() => assert.fail("resolved"), (e) => e);
      const a = await err("a");
      assert.ok(a instanceof NotFoundError);
      assert.equal(a.status, "NOT_FOUND");
      assert.equal(a.message, "NOT_FOUND UserNotFoundException: no such user");
      const b = await err("b");
      assert.ok(b instanceof UnavailableError && b.retryAfterMs === 1500);
      const c = await err("c");
      assert.ok(c instanceof ResourceExhaustedError && c.retryAfterMs === 250 && c.errorType === "RateLimited");
      assert.ok((await err("d")) instanceof PermissionDeniedError);
      const e = await err("e");
      assert.ok(e.constructor === AuthRpcError && e.status === "INTERNAL");
      assert.ok((await err("f")) instanceof DeadlineExceededError);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test("an answer with another RPC's body, or undecodable bytes, is a protocol error", async () => {
    const server = await h.fakeServer((req, socket, write) => {
      if (req.body.case === "health") write({ id: req.id, body: { case: "signOut", value: {} } });
      else socket.write(Buffer.from([0, 0, 0, 2, 0xff, 0xff]));
    });
    const client = new AuthRpcClient({ addresses: server.address });
    try {
      await assert.rejects(client.health(), ProtocolError);
      await assert.rejects(client.signOut({ accessToken: "x" }), ProtocolError);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test("destroy() fails what is pending; calls after close() are refused", async () => {
    const server = await h.fakeServer(() => {});
    const client = new AuthRpcClient({ addresses: server.address });
    const call = client.health();
    await h.sleep(20);
    client.destroy();
    await assert.rejects(call, ClientClosedError);
    await assert.rejects(client.health(), ClientClosedError);
    await server.close();
  });
});

test.describe("against authrpc processes of the test's own", { skip: h.skipOwnServer }, () => {
  let shared;
  let token;
  let tokenSub;
  test.before(async () => {
    shared = await h.liveClient();
    const user = await h.signedInUser(shared, "restart", ["staff"]);
    token = user.tokens.accessToken;
    tokenSub = (await shared.verifyToken({ token })).claims.sub;
  });
  test.after(() => shared.close());

  test("server restarted mid-run: in-flight calls fail or are answered, never twice or crossed; then calls succeed", async () => {
    const port = await h.freePort();
    let server = await h.startServer(port);
    const client = new AuthRpcClient({ addresses: server.address, deadlineMs: 5000, backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await h.waitReady(client);
      let stop = false;
      const outcomes = { ok: 0, transport: 0, other: [] };
      const worker = async (i) => {
        while (!stop) {
          const mine = i % 2 === 0 ? token : "bad.token.value";
          try {
            const answer = await client.verifyToken({ token: mine, tokenUse: TokenUse.TOKEN_USE_ACCESS });
            assert.equal(answer.claims.sub, tokenSub, "an answer for another call");
            assert.equal(i % 2, 0);
            outcomes.ok++;
          } catch (err) {
            if (err instanceof TransportError) outcomes.transport++;
            else if (err.errorType === "MalformedToken") assert.equal(i % 2, 1, "an error for another call");
            else if (err instanceof AuthRpcError && err.status === "UNAVAILABLE") outcomes.transport++; // not ready yet after the restart
            else outcomes.other.push(err);
            if (err instanceof TransportError) await h.sleep(5);
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, i) => worker(i));
      await h.sleep(300);
      const before = outcomes.ok;
      await server.stop("SIGKILL"); // the harshest restart: nothing answered
      await h.sleep(200);
      server = await h.startServer(port);
      await h.waitReady(client);
      await h.sleep(300);
      stop = true;
      await Promise.all(workers);
      assert.deepEqual(outcomes.other, []);
      assert.ok(before > 0 && outcomes.ok > before, `ok before ${before}, after ${outcomes.ok}`);
      assert.ok(outcomes.transport > 0, "the restart was seen");
      assert.equal((await client.verifyToken({ token })).claims.sub, tokenSub);
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  test("graceful restart (SIGTERM): what is in flight is answered; the client moves on", async () => {
    const port = await h.freePort();
    let server = await h.startServer(port);
    const client = new AuthRpcClient({ addresses: server.address, backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await h.waitReady(client);
      const inFlight = Array.from({ length: 200 }, () => client.verifyToken({ token }).then((a) => a.claims.sub, (e) => e));
      const stopped = server.stop("SIGTERM");
      for (const r of await Promise.all(inFlight)) {
        assert.ok(r === tokenSub || r instanceof TransportError, String(r));
      }
      await stopped;
      server = await h.startServer(port);
      await h.waitReady(client);
      assert.equal((await client.verifyToken({ token })).claims.sub, tokenSub);
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  test("rolling restart of one of two replicas (SIGTERM): no VerifyToken fails", async () => {
    const servers = [await h.startServer(await h.freePort()), await h.startServer(await h.freePort())];
    const client = new AuthRpcClient({ addresses: servers.map((s) => s.address), backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await h.waitReady(client);
      let stop = false;
      const failures = [];
      let ok = 0;
      const worker = async () => {
        while (!stop) {
          try {
            assert.equal((await client.verifyToken({ token })).claims.sub, tokenSub);
            ok++;
          } catch (err) {
            failures.push(err);
            await h.sleep(5);
          }
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      let restarts = 0;
      for (let i = 0; i < 4; i++) { // restart the replica the client is on, four times
        await h.sleep(200);
        const k = servers.findIndex((s) => s.address === client.connectedAddress);
        if (k < 0) continue;
        await servers[k].stop("SIGTERM");
        servers[k] = await h.startServer(servers[k].port);
        restarts++;
      }
      await h.sleep(200);
      stop = true;
      await Promise.all(workers);
      assert.ok(ok > 0 && restarts >= 3, `ok ${ok}, restarts ${restarts}`);
      assert.deepEqual(failures.map(String), []);
    } finally {
      client.destroy();
      for (const s of servers) await s.stop();
    }
  });

  test("two real addresses, one down: every call succeeds", async () => {
    const down = await h.freePort();
    const client = new AuthRpcClient({ addresses: [`127.0.0.1:${down}`, h.address] });
    try {
      for (let i = 0; i < 20; i++) assert.equal((await client.verifyToken({ token })).claims.sub, tokenSub);
    } finally {
      await client.close();
    }
  });

  test("replica goes away: the client fails over to the other address", async () => {
    const port = await h.freePort();
    const server = await h.startServer(port);
    const client = new AuthRpcClient({ addresses: [server.address, h.address], backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await h.waitReady(client);
      await server.stop();
      await h.sleep(100);
      let ok = 0;
      for (let i = 0; i < 20; i++) {
        try {
          assert.equal((await client.verifyToken({ token })).claims.sub, tokenSub);
          ok++;
        } catch (err) {
          assert.ok(err instanceof TransportError, String(err));
        }
      }
      assert.ok(ok >= 19, `ok ${ok}`);
      assert.equal(client.connectedAddress, h.address);
    } finally {
      client.destroy();
    }
  });
});

test("a server that accepts and closes at once is retried with backoff, not in a loop", async () => {
  let accepted = 0;
  const server = await require("node:net").createServer((socket) => { accepted++; socket.destroy(); });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const client = new AuthRpcClient({ addresses: `127.0.0.1:${server.address().port}`, backoff: { initialMs: 50, maxMs: 200 } });
  try {
    await client.health().catch(() => {});
    await h.sleep(600);
    // at once, then at most one attempt per backoff (>= 25 ms, growing to 100-200 ms)
    assert.ok(accepted >= 2 && accepted <= 12, `accepted ${accepted} connections in 600 ms`);
  } finally {
    client.destroy();
    await new Promise((r) => server.close(r));
  }
});
