"""Python client for authrpc (SPEC §3 framing, §4 messages).

    from authrpc_client import Client, AuthRPCError

    with Client("127.0.0.1", 7400, timeout=5.0) as client:
        try:
            claims = client.verify_token(token, "access").claims
        except AuthRPCError as err:
            print(err.status, err.error_type, err.message)
"""

from . import authrpc_pb2 as pb
from .client import Client, check, token_use
from .errors import AuthRPCError, FrameTooLarge, ProtocolError, RequestTimeout, TransportError
from .framing import DEFAULT_MAX_FRAME_BYTES, decode_response, encode_frame, take_frame

__all__ = [
    "AuthRPCError", "Client", "DEFAULT_MAX_FRAME_BYTES", "FrameTooLarge", "ProtocolError",
    "RequestTimeout", "TransportError", "check", "decode_response", "encode_frame", "pb",
    "take_frame", "token_use",
]
__version__ = "0.1.0"
