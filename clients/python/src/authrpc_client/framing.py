"""SPEC §3 framing: a 4-byte big-endian length N, then N bytes of one message."""

import struct
from typing import Union

from . import authrpc_pb2 as pb
from .errors import FrameTooLarge, ProtocolError

HEADER = struct.Struct(">I")
DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024


def encode_frame(message) -> bytes:
    """Length prefix + deterministic serialization (map entries sorted by key)."""
    body = message.SerializeToString(deterministic=True)
    return HEADER.pack(len(body)) + body


def take_frame(buf: bytearray, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES):
    """Removes one complete frame's body from the front of ``buf``.

    Returns the body bytes, or None when more bytes are needed. The length is
    judged before anything is buffered for it, so an oversized announcement
    costs nothing.
    """
    if len(buf) < HEADER.size:
        return None
    (n,) = HEADER.unpack_from(buf)
    if n > max_frame_bytes:
        raise FrameTooLarge(f"frame of {n} bytes exceeds the limit of {max_frame_bytes}")
    if len(buf) < HEADER.size + n:
        return None
    body = bytes(buf[HEADER.size:HEADER.size + n])
    del buf[:HEADER.size + n]
    return body


def looks_like_tls(header: Union[bytes, bytearray]) -> bool:
    """A TLS record (handshake or alert, version 3.x) where a frame length
    should be: the server expects TLS and this connection is plaintext."""
    return len(header) >= 2 and header[0] in (0x15, 0x16) and header[1] == 0x03


def decode_response(body: bytes) -> pb.Response:
    resp = pb.Response()
    try:
        resp.ParseFromString(body)
    except Exception as exc:  # google.protobuf.message.DecodeError and friends
        raise ProtocolError(f"undecodable response: {exc}") from None
    return resp
