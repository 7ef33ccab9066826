"""Golden frames (Tests/golden): decode -> equal, encode -> identical bytes."""
import json
import struct
from pathlib import Path

import pytest
from google.protobuf import json_format

from authrpc_client import decode_response, encode_frame, pb, take_frame

GOLDEN = Path(__file__).resolve().parents[3] / "Tests" / "golden"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
TYPES = {"authrpc.v1.Request": pb.Request, "authrpc.v1.Response": pb.Response}


@pytest.mark.parametrize("entry", MANIFEST["frames"], ids=lambda e: e["name"])
def test_golden_frame(entry):
    frame = (GOLDEN / entry["file"]).read_bytes()
    (n,) = struct.unpack(">I", frame[:4])
    assert n == len(frame) - 4

    cls = TYPES[entry["type"]]
    decoded = cls.FromString(frame[4:])
    assert json_format.MessageToDict(decoded, preserving_proto_field_name=True) == entry["message"]

    built = json_format.ParseDict(entry["message"], cls())
    assert encode_frame(built) == frame
    assert decoded == built


def test_every_request_body_is_covered():
    body_fields = {f.name for f in pb.Request.DESCRIPTOR.oneofs_by_name["body"].fields}
    covered = {k for e in MANIFEST["frames"] if e["type"] == "authrpc.v1.Request"
               for k in e["message"] if k in body_fields}
    assert covered == body_fields


def test_client_framing_reads_golden_responses_back_to_back():
    names = [e for e in MANIFEST["frames"] if e["type"] == "authrpc.v1.Response"]
    stream = bytearray(b"".join((GOLDEN / e["file"]).read_bytes() for e in names))
    for entry in names:
        body = take_frame(stream)
        resp = decode_response(body)
        assert json_format.MessageToDict(resp, preserving_proto_field_name=True) == entry["message"]
    assert stream == bytearray()
