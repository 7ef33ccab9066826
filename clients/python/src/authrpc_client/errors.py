"""Errors raised by the authrpc client.

Two families, so callers can tell "the server said no" from "we could not talk":

* :class:`AuthRPCError` -- the server answered with a non-OK ``status``
  (SPEC §4); carries ``status`` (name), ``code``, ``error_type``, ``message``,
  ``retry_after_ms`` and the whole ``response`` (Health's body when not ready).
  ``AuthRPCError(response)`` builds the subclass of the answer's status
  (:class:`Unauthenticated`, :class:`PermissionDenied`, ...), so
  ``except AuthRPCError`` keeps catching every one of them.
* :class:`TransportError` and subclasses -- connect / TLS / I/O failures, client
  side timeouts, undecodable or oversized frames, a connection lost with the
  call in flight. The server may or may not have done the work. The client
  drops the connection and opens a new one on a later call.

Both families carry ``status``, ``error_type`` and ``retry_after_ms`` so a
caller can log them alike; a transport error's ``status`` is ``"UNAVAILABLE"``.
"""

from typing import Dict, Type

from . import authrpc_pb2 as pb


class AuthRPCError(Exception):
    """The server answered with a status other than OK."""

    def __new__(cls, response: pb.Response, *args, **kwargs):
        if cls is AuthRPCError:
            cls = _BY_STATUS.get(int(response.status), AuthRPCError)
        return super().__new__(cls)

    def __init__(self, response: pb.Response):
        self.response = response
        self.id = response.id
        self.code = int(response.status)
        try:
            self.status = pb.Status.Name(self.code)
        except ValueError:
            self.status = str(self.code)
        self.error_type = response.error_type
        self.message = response.message
        self.retry_after_ms = response.retry_after_ms
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.status
        if self.error_type:
            text += f" {self.error_type}"
        if self.message:
            text += f": {self.message}"
        if self.retry_after_ms:
            text += f" (retry after {self.retry_after_ms} ms)"
        return text

    def __reduce__(self):
        # The generated message class does not pickle by reference; its bytes do.
        return (_rebuild, (type(self), self.response.SerializeToString()))


def _rebuild(cls, data: bytes) -> AuthRPCError:
    return cls(pb.Response.FromString(data))


class InvalidArgument(AuthRPCError):
    """The request broke an input rule (SPEC §5), or a bad code or password."""


class Unauthenticated(AuthRPCError):
    """The token or the credentials were refused (SPEC §6 steps 1-8, sign-in)."""


class PermissionDenied(AuthRPCError):
    """Valid credentials, not allowed: MissingScope, GroupCheckFailed, CallerNotAllowed."""


class NotFound(AuthRPCError):
    """No such user (confirm, resend, forgot / confirm password)."""


class AlreadyExists(AuthRPCError):
    """UsernameExistsException."""


class FailedPrecondition(AuthRPCError):
    """UserNotConfirmedException, PasswordResetRequiredException."""


class ResourceExhausted(AuthRPCError):
    """Throttled or over a limit (RateLimited, FrameTooLarge, ...); see ``retry_after_ms``."""


class Unavailable(AuthRPCError):
    """Not ready (Health before keys) or Cognito unreachable; see ``retry_after_ms``."""


class DeadlineExceeded(AuthRPCError, TimeoutError):
    """The server gave up at the request's ``deadline_ms`` (SPEC §3). Also a
    TimeoutError, like the client-side :class:`RequestTimeout`."""


class Unimplemented(AuthRPCError):
    """The server does not know this request (an older server)."""


class Internal(AuthRPCError):
    """An unexpected failure on the server; the detail is in its log."""


_BY_STATUS: Dict[int, Type[AuthRPCError]] = {
    pb.INVALID_ARGUMENT: InvalidArgument,
    pb.UNAUTHENTICATED: Unauthenticated,
    pb.PERMISSION_DENIED: PermissionDenied,
    pb.NOT_FOUND: NotFound,
    pb.ALREADY_EXISTS: AlreadyExists,
    pb.FAILED_PRECONDITION: FailedPrecondition,
    pb.RESOURCE_EXHAUSTED: ResourceExhausted,
    pb.UNAVAILABLE: Unavailable,
    pb.DEADLINE_EXCEEDED: DeadlineExceeded,
    pb.UNIMPLEMENTED: Unimplemented,
    pb.INTERNAL: Internal,
}


class TransportError(Exception):
    """Connecting, writing or reading failed; the call's outcome on the server is
    unknown. ``address`` is the "host:port" concerned ("" when none)."""

    status = "UNAVAILABLE"
    error_type = "TransportError"
    retry_after_ms = 0

    def __init__(self, message: str = "", address: str = ""):
        super().__init__(message)
        self.message = message
        self.address = address


class ConnectFailed(TransportError):
    """No address of the list accepted a connection (or it is backing off)."""

    error_type = "ConnectFailed"


class ConnectionLost(TransportError):
    """The connection dropped (server restart, network) with the call in flight."""

    error_type = "ConnectionLost"


class TLSError(TransportError):
    """The TLS handshake failed or the server refused this client's certificate."""

    error_type = "TLSError"


class RequestTimeout(TransportError, TimeoutError):
    """Connect, write or read took longer than the call's timeout (the server
    may still do the work)."""

    error_type = "ClientTimeout"


class ProtocolError(TransportError):
    """A frame did not decode, or an answer did not match its request."""

    error_type = "ProtocolError"


class FrameTooLarge(ProtocolError):
    """A response frame announced more bytes than ``max_frame_bytes``."""

    error_type = "FrameTooLarge"


__all__ = [
    "AlreadyExists", "AuthRPCError", "ConnectFailed", "ConnectionLost", "DeadlineExceeded",
    "FailedPrecondition", "FrameTooLarge", "Internal", "InvalidArgument", "NotFound",
    "PermissionDenied", "ProtocolError", "RequestTimeout", "ResourceExhausted", "TLSError",
    "TransportError", "Unauthenticated", "Unavailable", "Unimplemented",
]
