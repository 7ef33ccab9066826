"""Python client for authrpc (SPEC §3 framing, §4 messages, §8 TLS, §10 clients).

    from authrpc_client import Client, AuthRPCError, Unauthenticated

    with Client(["10.0.0.5:7400", "10.0.0.6:7400"], timeout=5.0, tls_ca="ca.pem") as client:
        try:
            claims = client.verify_token(token, "access").claims
        except Unauthenticated as err:
            print(err.status, err.error_type, err.message)

``Client`` is blocking and thread-safe; ``authrpc_client.aio.Client`` is the
asyncio client with the same methods.
"""

from . import authrpc_pb2 as pb
from ._requests import token_use, traceparent
from .client import Client, check
from .errors import (AlreadyExists, AuthRPCError, ConnectFailed, ConnectionLost, DeadlineExceeded,
                     FailedPrecondition, FrameTooLarge, Internal, InvalidArgument, NotFound,
                     PermissionDenied, ProtocolError, RequestTimeout, ResourceExhausted, TLSError,
                     TransportError, Unauthenticated, Unavailable, Unimplemented)
from .framing import DEFAULT_MAX_FRAME_BYTES, decode_response, encode_frame, take_frame
from .tls import tls_context

__all__ = [
    "AlreadyExists", "AuthRPCError", "Client", "ConnectFailed", "ConnectionLost",
    "DEFAULT_MAX_FRAME_BYTES", "DeadlineExceeded", "FailedPrecondition", "FrameTooLarge",
    "Internal", "InvalidArgument", "NotFound", "PermissionDenied", "ProtocolError",
    "RequestTimeout", "ResourceExhausted", "TLSError", "TransportError", "Unauthenticated",
    "Unavailable", "Unimplemented", "check", "decode_response", "encode_frame", "pb",
    "take_frame", "tls_context", "token_use", "traceparent",
]
__version__ = "0.2.0"
