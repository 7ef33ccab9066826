// Golden frames (Tests/golden/README.md): every frame decodes to the manifest's
// message, and encoding the manifest's message gives the frame byte for byte.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { pb } = require("..");

const goldenDir = path.resolve(__dirname, "../../../Tests/golden");
const manifest = JSON.parse(fs.readFileSync(path.join(goldenDir, "manifest.json"), "utf8"));

const codecs = {
  "authrpc.v1.Request": { decode: pb.decodeRequest, encode: pb.encodeRequest, toJson: pb.requestToJson, fromJson: pb.requestFromJson },
  "authrpc.v1.Response": { decode: pb.decodeResponse, encode: pb.encodeResponse, toJson: pb.responseToJson, fromJson: pb.responseFromJson },
};

test("the manifest covers every request body and both message types", () => {
  assert.equal(manifest.package, pb.protoPackage);
  const requestBodies = new Set();
  for (const frame of manifest.frames) {
    assert.ok(codecs[frame.type], `unknown type ${frame.type}`);
    if (frame.type === "authrpc.v1.Request") {
      const body = pb.requestFromJson(frame.message).body;
      if (body) requestBodies.add(body.case);
    }
  }
  assert.deepEqual([...requestBodies].sort(), [...pb.rpcNames].sort());
});

for (const frame of manifest.frames) {
  test(`golden ${frame.name}`, () => {
    const bytes = fs.readFileSync(path.join(goldenDir, frame.file));
    const codec = codecs[frame.type];
    assert.equal(bytes.readUInt32BE(0), bytes.length - 4, "length prefix");
    // decode -> equal (as protobuf JSON with proto names, defaults omitted)
    const decoded = codec.decode(bytes, 4);
    assert.deepEqual(codec.toJson(decoded), frame.message);
    // encode -> identical bytes
    const body = codec.encode(codec.fromJson(frame.message));
    const framed = Buffer.alloc(body.length + 4);
    framed.writeUInt32BE(body.length, 0);
    body.copy(framed, 4);
    assert.ok(framed.equals(bytes), `encoding differs:\n got ${framed.toString("hex")}\nwant ${bytes.toString("hex")}`);
    // a decoded message encodes back to the same bytes
    assert.ok(codec.encode(decoded).equals(bytes.subarray(4)));
  });
}

test("decode refuses truncated input and skips unknown fields", () => {
  const bytes = fs.readFileSync(path.join(goldenDir, "response_verify_token.bin")).subarray(4);
  assert.throws(() => pb.decodeResponse(bytes.subarray(0, bytes.length - 3)), pb.DecodeError);
  // field 99 (varint 7) and field 100 (length-delimited "xy") appended: ignored
  const extra = Buffer.concat([bytes, Buffer.from([0x98, 0x06, 0x07, 0xa2, 0x06, 0x02, 0x78, 0x79])]);
  assert.deepEqual(pb.responseToJson(pb.decodeResponse(extra)), pb.responseToJson(pb.decodeResponse(bytes)));
});

test("64-bit ids are exact above 2^53 and int64 round-trips negatives", () => {
  const big = 2n ** 64n - 1n;
  assert.equal(pb.decodeRequest(pb.encodeRequest({ id: big, body: { case: "health", value: {} } })).id, big);
  const claims = pb.decodeClaims(pb.encodeClaims({ issuedAt: -5n, expiresAt: 2n ** 62n, authTime: 1700000000 }));
  assert.equal(claims.issuedAt, -5n);
  assert.equal(claims.expiresAt, 2n ** 62n);
  assert.equal(claims.authTime, 1700000000n);
});
