#!/usr/bin/env node
// VerifyToken throughput of the Node client on one connection, closed loop:
// `depth` calls outstanding (pipelined), each answered call replaced by the next.
//
//   node bench/verify.js --address HOST:PORT --tokens FILE [--depth 32] [--duration 10] [--warmup 1] [--deadline-ms 5000]
//
// Prints one JSON line: {"client":"node","connections":1,"depth":..,"requests":..,"errors":..,"throughput_rps":..,
// "p50_ms":..,"p99_ms":..,"cpu_us_per_request":..} (this process's CPU time over the counted
// window, divided by the calls answered). Tokens are used round robin (one line: one repeated token).
"use strict";
const fs = require("node:fs");
const { AuthRpcClient } = require("..");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const address = arg("address", "127.0.0.1:7400");
  const tokens = fs.readFileSync(arg("tokens"), "utf8").split("\n").filter(Boolean);
  const depth = Number(arg("depth", "32"));
  const duration = Number(arg("duration", "10")) * 1000;
  const warmup = Number(arg("warmup", "1")) * 1000;
  const deadlineMs = Number(arg("deadline-ms", "5000"));
  const client = new AuthRpcClient({ addresses: address, deadlineMs });
  await client.health();

  let next = 0;
  let counting = false;
  let stop = false;
  let requests = 0;
  let errors = 0;
  const samples = [];
  const worker = async () => {
    while (!stop) {
      const token = tokens[next++ % tokens.length];
      const started = process.hrtime.bigint();
      try {
        await client.verifyToken({ token });
        if (counting) {
          requests++;
          if ((requests & 63) === 0) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      } catch {
        if (counting) errors++;
      }
    }
  };
  const workers = Array.from({ length: depth }, worker);
  await new Promise((r) => setTimeout(r, warmup));
  counting = true;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, duration));
  counting = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  stop = true;
  await Promise.all(workers);
  await client.close();
  samples.sort((a, b) => a - b);
  const pct = (q) => (samples.length ? samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] : 0);
  console.log(JSON.stringify({
    client: "node", connections: 1, depth, requests, errors,
    throughput_rps: Math.round(requests / elapsed), p50_ms: +pct(0.5).toFixed(3), p99_ms: +pct(0.99).toFixed(3),
    cpu_us_per_request: requests ? +((cpu.user + cpu.system) / requests).toFixed(2) : 0,
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
