"""Errors raised by the authrpc client.

Two families, so callers can tell "the server said no" from "we could not talk":

* :class:`AuthRPCError` -- the server answered with a non-OK ``status``
  (SPEC §4); carries ``status`` (name), ``code``, ``error_type``, ``message``,
  ``retry_after_ms`` and the whole ``response`` (Health's body when not ready).
* :class:`TransportError` and subclasses -- connect / I/O failures, timeouts,
  undecodable or oversized frames. The client drops the connection and opens a
  new one on the next call.
"""

from . import authrpc_pb2 as pb


class AuthRPCError(Exception):
    """The server answered with a status other than OK."""

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
        return (type(self), (self.response,))


class TransportError(Exception):
    """The connection failed; it has been closed."""


class RequestTimeout(TransportError, TimeoutError):
    """Connect, write or read took longer than the client's timeout."""


class ProtocolError(TransportError):
    """A frame did not decode, or an answer did not match its request."""


class FrameTooLarge(ProtocolError):
    """A response frame announced more bytes than ``max_frame_bytes``."""
