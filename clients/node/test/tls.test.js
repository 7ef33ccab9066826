// TLS and mTLS from the client's side (SPEC §8: a CA, an optional client certificate
// and key, a server name), against a node:tls fake server: authrpc's own TLS
// listener is not built yet, so this checks the client's half only.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const h = require("./helpers");
const { AuthRpcClient, TransportError } = require("..");

/** A CA, a server certificate for authrpc.test / 127.0.0.1 and a client certificate, made with the openssl CLI. */
function makePki() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authrpc-tls-"));
  const f = (name) => path.join(dir, name);
  const ssl = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ca = (name) => {
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", `/CN=${name}`, "-keyout", f(`${name}.key`), "-out", f(`${name}.pem`));
  };
  const leaf = (name, caName, ext) => {
    fs.writeFileSync(f(`${name}.ext`), ext);
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${name}`,
      "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`));
    ssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f(`${caName}.pem`), "-CAkey", f(`${caName}.key`),
      "-CAcreateserial", "-days", "1", "-extfile", f(`${name}.ext`), "-out", f(`${name}.pem`));
  };
  ca("test-ca");
  ca("other-ca");
  leaf("server", "test-ca", "subjectAltName=DNS:authrpc.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "test-ca", "subjectAltName=URI:spiffe://example.org/orders\nextendedKeyUsage=clientAuth\n");
  const read = (name) => fs.readFileSync(f(name));
  const pki = {
    ca: read("test-ca.pem"), otherCa: read("other-ca.pem"),
    serverCert: read("server.pem"), serverKey: read("server.key"),
    clientCert: read("client.pem"), clientKey: read("client.key"),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return pki;
}

const answerHealth = (req, socket, write) => write({ id: req.id, body: { case: "health", value: { version: socket.getPeerCertificate?.()?.subject?.CN ?? "tls" } } });

test.describe("TLS (client side)", () => {
  let pki;
  test.before(() => { pki = makePki(); });

  test("a CA and a server name: calls work; a wrong CA or name fails with a transport error", async () => {
    const server = await h.fakeServer(answerHealth, { cert: pki.serverCert, key: pki.serverKey, minVersion: "TLSv1.3" });
    try {
      const good = new AuthRpcClient({ addresses: server.address, tls: { ca: pki.ca, servername: "authrpc.test" } });
      assert.ok(await good.health());
      await good.close();
      const byIp = new AuthRpcClient({ addresses: server.address, tls: { ca: pki.ca } }); // IP SAN
      assert.ok(await byIp.health());
      await byIp.close();
      for (const tls of [{ ca: pki.otherCa, servername: "authrpc.test" }, { ca: pki.ca, servername: "elsewhere.test" }, {}]) {
        const bad = new AuthRpcClient({ addresses: server.address, tls });
        await assert.rejects(bad.health(), TransportError);
        bad.destroy();
      }
    } finally {
      await server.close();
    }
  });

  test("mTLS: the client certificate is presented; without it the server refuses", async () => {
    const server = await h.fakeServer((req, socket, write) => {
      const cert = socket.getPeerCertificate();
      write({ id: req.id, body: { case: "health", value: { version: cert.subjectaltname ?? "" } } });
    }, { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true });
    try {
      const withCert = new AuthRpcClient({ addresses: server.address, tls: { ca: pki.ca, servername: "authrpc.test", cert: pki.clientCert, key: pki.clientKey } });
      assert.equal((await withCert.health()).version, "URI:spiffe://example.org/orders");
      await withCert.close();
      const without = new AuthRpcClient({ addresses: server.address, tls: { ca: pki.ca, servername: "authrpc.test" } });
      await assert.rejects(without.health(), TransportError);
      without.destroy();
    } finally {
      await server.close();
    }
  });
});
