#!/usr/bin/env python3
"""Writes the golden frames (*.bin) described by manifest.json.

    python3 Tests/golden/generate.py          rewrite every *.bin from the manifest
    python3 Tests/golden/generate.py --check  exit 1 if any *.bin differs (or is missing)

manifest.json is the source of truth; the bytes come from the committed Python
module clients/python/src/authrpc_client/authrpc_pb2.py with deterministic
serialization. Needs the `protobuf` runtime (pip install protobuf).
"""
import importlib.util
import json
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PB2 = ROOT / "clients/python/src/authrpc_client/authrpc_pb2.py"


def load_pb2():
    spec = importlib.util.spec_from_file_location("authrpc_pb2", PB2)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def frames(manifest, pb):
    from google.protobuf import json_format

    for entry in manifest["frames"]:
        cls = getattr(pb, entry["type"].rsplit(".", 1)[1])
        msg = json_format.ParseDict(entry["message"], cls())
        # The manifest must be in canonical form, or other readers would disagree.
        canonical = json_format.MessageToDict(msg, preserving_proto_field_name=True)
        if canonical != entry["message"]:
            raise SystemExit(f"{entry['name']}: manifest values not canonical; expected {canonical}")
        body = msg.SerializeToString(deterministic=True)
        yield entry["file"], struct.pack(">I", len(body)) + body


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        raise SystemExit("usage: generate.py [--check]")
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    pb = load_pb2()
    bad = 0
    for name, data in frames(manifest, pb):
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                print(f"golden: {name} differs from manifest.json", file=sys.stderr)
                bad = 1
        else:
            path.write_bytes(data)
    if check and bad:
        print("golden: run python3 Tests/golden/generate.py and commit the result", file=sys.stderr)
    elif check:
        print(f"golden: {len(manifest['frames'])} frames match manifest.json")
    else:
        print(f"golden: wrote {len(manifest['frames'])} frames")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
