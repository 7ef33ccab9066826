// Shared by the live tests: the environment clients/run-interop-tests sets up
// (AUTHRPC_INTEROP_HOST/PORT, COGNITO_*, AUTHRPC_DEV_USERNAME/PASSWORD,
// AUTHRPC_BIN), authrpc processes of a test's own, fake servers, users in moto.
"use strict";
const net = require("node:net");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");
const { AuthRpcClient, AuthRpcError, pb } = require("..");

const ROOT = path.resolve(__dirname, "../../..");
const live = Boolean(process.env.AUTHRPC_INTEROP_PORT);
const skipLive = live ? false : "AUTHRPC_INTEROP_PORT not set (see clients/run-interop-tests)";
const skipOwnServer = live && process.env.AUTHRPC_BIN ? false : "needs AUTHRPC_INTEROP_PORT and AUTHRPC_BIN";
const address = live ? `${process.env.AUTHRPC_INTEROP_HOST || "127.0.0.1"}:${process.env.AUTHRPC_INTEROP_PORT}` : "";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** scripts/dev_cognito.py admin ...; its KEY=value lines as an object. */
function admin(...args) {
  const out = spawnSync("python3", [path.join(ROOT, "scripts/dev_cognito.py"), "admin", "--endpoint", env("COGNITO_ENDPOINT"),
    "--pool-id", env("COGNITO_USER_POOL_ID"), ...args], { encoding: "utf8", timeout: 60_000 });
  if (out.status !== 0) throw new Error(`dev_cognito admin ${args.join(" ")}: ${out.stderr}`);
  return Object.fromEntries(out.stdout.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

function newUsername(tag) {
  return `node-${tag}-${Math.random().toString(16).slice(2, 12)}`;
}

const PASSWORD = "Node-Interop-Passw0rd";

/** A confirmed user in `groups`, signed in: { username, tokens }. */
async function signedInUser(client, tag, groups = []) {
  const username = newUsername(tag);
  await client.register({ username, password: PASSWORD, email: `${username}@example.com` });
  admin("confirm-user", username);
  for (const g of groups) admin("add-to-group", username, g);
  const answer = await client.authenticate({ username, password: PASSWORD });
  return { username, tokens: answer.tokens };
}

/** Calls Health until the server has its keys (SPEC §6: not ready until then). */
async function waitReady(client, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await client.health({}, { deadlineMs: 2000 });
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(100);
    }
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `authrpc serve` on 127.0.0.1:port with the COGNITO_* settings (plus `extraEnv`); resolves when it accepts. */
async function startServer(port, extraEnv = {}) {
  const child = spawn(env("AUTHRPC_BIN"), ["serve"], {
    env: { ...process.env, AUTHRPC_LISTEN: `127.0.0.1:${port}`, AUTHRPC_ADMIN_LISTEN: "", AUTHRPC_THREADS: "1", AUTHRPC_LOG_LEVEL: "warning", ...extraEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const end = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`authrpc exited: ${stderr}`);
    if (await canConnect(port)) break;
    if (Date.now() > end) { child.kill("SIGKILL"); throw new Error(`authrpc did not listen on ${port}: ${stderr}`); }
    await sleep(50);
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    /** SIGTERM (graceful: answers what is in flight, SPEC §3) and wait for the exit. */
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    get stderr() { return stderr; },
  };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

/**
 * A fake authrpc on a free port: `onRequest(request, socket, write)` gets each decoded
 * Request; `write(responseInit)` sends a framed Response. With `tlsOptions`, a node:tls server.
 * Resolves to { address, port, close, sockets }.
 */
async function fakeServer(onRequest, tlsOptions) {
  const sockets = new Set();
  const server = (tlsOptions ? require("node:tls").createServer.bind(null, tlsOptions) : net.createServer)((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buf = Buffer.alloc(0);
    const write = (response) => {
      const body = pb.encodeResponse(response);
      const frame = Buffer.alloc(body.length + 4);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, 4);
      if (!socket.destroyed) socket.write(frame);
    };
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const n = buf.readUInt32BE(0);
        const request = pb.decodeRequest(buf, 4, 4 + n);
        buf = buf.subarray(4 + n);
        onRequest(request, socket, write);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The live server's client, ready; with the demo user's tokens. */
async function liveClient(options = {}) {
  const client = new AuthRpcClient({ addresses: [address], deadlineMs: 15_000, ...options });
  await waitReady(client);
  return client;
}

/** Debian's node-express: under /usr/share/nodejs, which test/run puts on NODE_PATH (Node 20 from elsewhere does not search it). */
function requireExpress() {
  try {
    return require("express");
  } catch (err) {
    throw new Error(`express not found (apt-get install node-express; run through clients/node/test/run, which sets NODE_PATH): ${err.message}`);
  }
}

module.exports = {
  ROOT, live, skipLive, skipOwnServer, address, env, admin, newUsername, PASSWORD, signedInUser, waitReady,
  sleep, freePort, startServer, fakeServer, liveClient, requireExpress, AuthRpcError,
};
