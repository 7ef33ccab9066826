#!/usr/bin/env python3
"""VerifyToken throughput of the Python client on one connection (scripts/bench-clients).

Closed loop: DEPTH calls in flight through ``send``/``receive``, each answer replaced by
the next call, for DURATION seconds after a one-second warm-up. Prints one JSON line in
the shape of clients/node/bench/verify.js:

    verify.py --address HOST:PORT --tokens FILE [--depth 32] [--duration 5]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
from authrpc_client import Client  # noqa: E402
from authrpc_client import authrpc_pb2 as pb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--depth", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    tokens = [line.strip() for line in open(args.tokens) if line.strip()]
    requests = [pb.Request(verify_token=pb.VerifyTokenRequest(token=t, token_use=pb.TOKEN_USE_ACCESS)) for t in tokens]

    client = Client(args.address, timeout=10.0)
    sent_at = {}
    samples = []
    requests_done = errors = 0
    i = 0

    def send_one() -> None:
        nonlocal i
        request = requests[i % len(requests)]
        i += 1
        sent_at[client.send(request)] = time.perf_counter()

    for _ in range(args.depth):
        send_one()
    warm_until = time.perf_counter() + 1.0
    while time.perf_counter() < warm_until:
        client.receive()
        send_one()
    sent_at = {k: v for k, v in sent_at.items()}
    cpu0, t0 = time.process_time(), time.perf_counter()
    end = t0 + args.duration
    while True:
        answer = client.receive()
        now = time.perf_counter()
        started = sent_at.pop(answer.id, None)
        if started is not None and started >= t0:
            samples.append(now - started)
        requests_done += 1
        if answer.status != pb.OK:
            errors += 1
        if now >= end:
            break
        send_one()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    while client.in_flight:
        client.receive()
    client.close()
    samples.sort()

    def pct(q: float) -> float:
        return round(samples[min(len(samples) - 1, int(q * len(samples)))] * 1000, 3) if samples else 0.0

    print(json.dumps({
        "client": "python", "connections": 1, "depth": args.depth, "requests": requests_done, "errors": errors,
        "throughput_rps": round(requests_done / elapsed), "p50_ms": pct(0.5), "p99_ms": pct(0.99),
        "cpu_us_per_request": round(cpu * 1e6 / max(1, requests_done), 2),
    }))


if __name__ == "__main__":
    main()
