"""Synchronous authrpc client: one TCP connection, reused across calls.

Blocking calls (``client.verify_token(...)``) send one request and wait for its
answer; they return the RPC's response body message (``VerifyTokenResponse``, ...)
or raise :class:`AuthRPCError`. For throughput, ``send`` / ``receive`` and
``pipeline`` keep many requests in flight on the same connection (SPEC §3:
answers may come back in any order; they are matched by id).

A Client is not thread-safe; use one per thread.
"""

import select
import socket
import time
from typing import Dict, Iterable, List, Optional, Sequence, Union

from . import authrpc_pb2 as pb
from .errors import AuthRPCError, ProtocolError, RequestTimeout, TransportError
from .framing import DEFAULT_MAX_FRAME_BYTES, decode_response, encode_frame, take_frame

TokenUseLike = Union[int, str, None]

_FLUSH_AT = 64 * 1024  # queued bytes that trigger a write in send()
_READ_CHUNK = 64 * 1024
_DRAIN_LIMIT = 16 * 1024 * 1024  # answers buffered while blocked writing

_TOKEN_USES = {
    "any": pb.TOKEN_USE_ANY,
    "id": pb.TOKEN_USE_ID,
    "access": pb.TOKEN_USE_ACCESS,
}


def token_use(value: TokenUseLike) -> int:
    """``"id"``, ``"access"``, ``"any"``/None, an enum name or the number."""
    if value is None:
        return pb.TOKEN_USE_ANY
    if isinstance(value, str):
        key = value.lower()
        if key in _TOKEN_USES:
            return _TOKEN_USES[key]
        return pb.TokenUse.Value(value)
    return int(value)


def _deadline(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else time.monotonic() + timeout


def _wait(fd: int, events: int, deadline: Optional[float]) -> int:
    """poll() one fd until an event or the deadline; returns revents (0: timed out)."""
    poller = select.poll()
    poller.register(fd, events)
    while True:
        wait_ms = None
        if deadline is not None:
            wait_ms = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
        ready = poller.poll(wait_ms)
        if ready:
            return ready[0][1]
        if deadline is not None and time.monotonic() >= deadline:
            return 0


class _Connection:
    """A non-blocking socket with read and write buffers."""

    def __init__(self, sock: socket.socket, max_frame_bytes: int):
        self.sock = sock
        self.max_frame_bytes = max_frame_bytes
        self.rbuf = bytearray()
        self.wbuf = bytearray()

    @classmethod
    def open(cls, host: str, port: int, timeout: Optional[float], max_frame_bytes: int):
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except socket.timeout:
            raise RequestTimeout(f"connect to {host}:{port} timed out") from None
        except OSError as exc:
            raise TransportError(f"connect to {host}:{port}: {exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return cls(sock, max_frame_bytes)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def closed_by_peer(self) -> bool:
        """True if this idle connection is readable: the server closed it (its
        idle timeout, SPEC §3) or sent something unasked. Checked before each
        blocking call so that a stale connection is replaced, not failed on."""
        return _wait(self.sock.fileno(), select.POLLIN, time.monotonic()) != 0

    def _read_some(self) -> bool:
        try:
            data = self.sock.recv(_READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as exc:
            raise TransportError(f"read: {exc}") from None
        if not data:
            raise TransportError("connection closed by the server")
        self.rbuf += data
        return True

    def flush(self, deadline: Optional[float]) -> None:
        """Writes queued bytes; keeps reading answers meanwhile so that a server
        which stops reading until we read cannot deadlock us."""
        limit = _DRAIN_LIMIT + self.max_frame_bytes
        while self.wbuf:
            try:
                n = self.sock.send(self.wbuf)
                del self.wbuf[:n]
                continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as exc:
                raise TransportError(f"write: {exc}") from None
            events = select.POLLOUT | (select.POLLIN if len(self.rbuf) < limit else 0)
            ev = _wait(self.sock.fileno(), events, deadline)
            if ev == 0:
                raise RequestTimeout("write timed out")
            if ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                self._read_some()

    def receive(self, deadline: Optional[float]) -> pb.Response:
        while True:
            body = take_frame(self.rbuf, self.max_frame_bytes)
            if body is not None:
                return decode_response(body)
            if not self._read_some():
                if _wait(self.sock.fileno(), select.POLLIN, deadline) == 0:
                    raise RequestTimeout("read timed out")


class Client:
    """A connection to one authrpc server, opened on first use and reused.

    ``timeout`` (seconds, None = wait for ever) bounds connecting, each blocking
    call and each ``receive``. ``deadline_ms`` goes into every request of the
    blocking calls (SPEC §3). After a transport error or a timed-out blocking
    call the connection is closed and the next call opens a new one; nothing is
    retried automatically (sign-up and sign-in are not idempotent).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 7400, *,
                 timeout: Optional[float] = 5.0, deadline_ms: int = 0,
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.deadline_ms = deadline_ms
        self.max_frame_bytes = max_frame_bytes
        self._conn: Optional[_Connection] = None
        self._next_id = 1
        self._in_flight = 0

    # -- lifecycle -------------------------------------------------------------

    def connect(self) -> "Client":
        if self._conn is None:
            self._conn = _Connection.open(self.host, self.port, self.timeout,
                                          self.max_frame_bytes)
            self._in_flight = 0
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._in_flight = 0

    def __enter__(self) -> "Client":
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def in_flight(self) -> int:
        """Pipelined requests sent whose answers have not been received."""
        return self._in_flight

    def _take_id(self) -> int:
        rid = self._next_id
        self._next_id = rid + 1 if rid < 2**64 - 1 else 1  # 0 means "connection error"
        return rid

    def _drop(self) -> None:
        self.close()

    # -- blocking calls ---------------------------------------------------------

    def call(self, request: pb.Request) -> pb.Response:
        """Sends any Request (its id is replaced) and returns the OK Response.

        Raises AuthRPCError for a non-OK answer (including an id-0
        connection-level error such as MalformedRequest or FrameTooLarge).
        """
        if self._in_flight:
            raise RuntimeError("pipelined requests are in flight; receive them first")
        req = pb.Request()
        req.CopyFrom(request)
        req.id = self._take_id()
        if not req.deadline_ms:
            req.deadline_ms = self.deadline_ms
        if self._conn is not None and not self._conn.rbuf and self._conn.closed_by_peer():
            self._drop()
        conn = self.connect()._conn
        deadline = _deadline(self.timeout)
        try:
            conn.wbuf += encode_frame(req)
            conn.flush(deadline)
            resp = conn.receive(deadline)
        except TransportError:
            self._drop()
            raise
        if resp.id not in (req.id, 0):
            self._drop()
            raise ProtocolError(f"answer for id {resp.id} while waiting for {req.id}")
        if resp.id == 0 and resp.error_type == "FrameTooLarge":
            self._drop()  # the server closes the connection after this answer
        if resp.status != pb.OK:
            raise AuthRPCError(resp)
        return resp

    def _rpc(self, field: str, body, answer_field: Optional[str] = None):
        req = pb.Request()
        getattr(req, field).CopyFrom(body)
        resp = self.call(req)
        answer_field = answer_field or field
        if resp.WhichOneof("body") != answer_field:
            raise ProtocolError(f"{field} answered with body {resp.WhichOneof('body')!r}")
        return getattr(resp, answer_field)

    def health(self) -> pb.HealthResponse:
        """Raises AuthRPCError (UNAVAILABLE, NotReady) until every pool has keys;
        the body is then in ``err.response.health``."""
        return self._rpc("health", pb.HealthRequest())

    def register(self, username: str, password: str, email: str = "",
                 attributes: Optional[Dict[str, str]] = None) -> pb.RegisterResponse:
        return self._rpc("register", pb.RegisterRequest(
            username=username, password=password, email=email, attributes=attributes or {}))

    def confirm_registration(self, username: str, code: str) -> pb.ConfirmRegistrationResponse:
        return self._rpc("confirm_registration",
                         pb.ConfirmRegistrationRequest(username=username, code=code))

    def resend_confirmation_code(self, username: str) -> pb.ResendConfirmationCodeResponse:
        return self._rpc("resend_confirmation_code",
                         pb.ResendConfirmationCodeRequest(username=username))

    def authenticate(self, username: str, password: str) -> pb.AuthenticateResponse:
        """``.tokens`` or ``.challenge`` is set (``HasField`` tells which)."""
        return self._rpc("authenticate",
                         pb.AuthenticateRequest(username=username, password=password))

    def respond_to_challenge(self, username: str, challenge_name: str, session: str,
                             responses: Optional[Dict[str, str]] = None) -> pb.AuthenticateResponse:
        return self._rpc("respond_to_challenge", pb.RespondToChallengeRequest(
            username=username, challenge_name=challenge_name, session=session,
            responses=responses or {}))

    def refresh_tokens(self, refresh_token: str, username: str = "") -> pb.AuthenticateResponse:
        return self._rpc("refresh_tokens",
                         pb.RefreshTokensRequest(refresh_token=refresh_token, username=username))

    def sign_out(self, access_token: str) -> pb.SignOutResponse:
        return self._rpc("sign_out", pb.SignOutRequest(access_token=access_token))

    def forgot_password(self, username: str) -> pb.ForgotPasswordResponse:
        return self._rpc("forgot_password", pb.ForgotPasswordRequest(username=username))

    def confirm_forgot_password(self, username: str, code: str,
                                new_password: str) -> pb.ConfirmForgotPasswordResponse:
        return self._rpc("confirm_forgot_password", pb.ConfirmForgotPasswordRequest(
            username=username, code=code, new_password=new_password))

    def verify_token(self, token: str, token_use: TokenUseLike = None,
                     required_scopes: Sequence[str] = ()) -> pb.VerifyTokenResponse:
        """``token_use``: "id", "access" or None (any). ``.claims`` holds the claims."""
        return self._rpc("verify_token", pb.VerifyTokenRequest(
            token=token, token_use=_token_use(token_use), required_scopes=list(required_scopes)))

    def check_groups(self, token: str, token_use: TokenUseLike = None, *,
                     allowed_groups: Sequence[str] = (), required_groups: Sequence[str] = (),
                     prohibited_groups: Sequence[str] = ()) -> pb.CheckGroupsResponse:
        """Every rule given must hold (SPEC §6); a failed rule raises
        AuthRPCError PERMISSION_DENIED / GroupCheckFailed."""
        return self._rpc("check_groups", pb.CheckGroupsRequest(
            token=token, token_use=_token_use(token_use),
            allowed_groups=list(allowed_groups), required_groups=list(required_groups),
            prohibited_groups=list(prohibited_groups)))

    # -- pipelining ---------------------------------------------------------------

    def send(self, request: pb.Request) -> int:
        """Queues a request (its id is replaced) and returns the id assigned.
        Bytes go out when 64 KiB are queued, on flush() or on receive()."""
        req = pb.Request()
        req.CopyFrom(request)
        req.id = self._take_id()
        conn = self.connect()._conn
        conn.wbuf += encode_frame(req)
        self._in_flight += 1
        if len(conn.wbuf) >= _FLUSH_AT:
            self.flush()
        return req.id

    def flush(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.flush(_deadline(self.timeout))
        except RequestTimeout:
            raise  # what was not written stays queued
        except TransportError:
            self._drop()
            raise

    def receive(self) -> pb.Response:
        """The next answer in arrival order, whatever its status (id 0: a
        connection-level error). A timeout leaves the connection usable."""
        if self._conn is None:
            raise TransportError("not connected")
        deadline = _deadline(self.timeout)
        try:
            self._conn.flush(deadline)
            resp = self._conn.receive(deadline)
        except RequestTimeout:
            raise
        except TransportError:
            self._drop()
            raise
        if resp.id != 0 and self._in_flight:
            self._in_flight -= 1
        return resp

    def pipeline(self, requests: Iterable[pb.Request], window: int = 512) -> List[pb.Response]:
        """Sends all requests with at most ``window`` in flight and returns their
        answers in request order (each with its own status; nothing raised for a
        non-OK one). An id-0 answer means the server could not read a request:
        AuthRPCError is raised and the connection closed."""
        if self._in_flight:
            raise RuntimeError("pipelined requests are in flight; receive them first")
        ids: List[int] = []
        answers: Dict[int, pb.Response] = {}

        def take_one() -> None:
            resp = self.receive()
            if resp.id == 0:
                self._drop()
                raise AuthRPCError(resp)
            answers[resp.id] = resp

        for request in requests:
            if self._in_flight >= window:
                take_one()
            ids.append(self.send(request))
        while self._in_flight:
            take_one()
        try:
            return [answers.pop(i) for i in ids]
        except KeyError as exc:
            self._drop()
            raise ProtocolError(f"no answer for id {exc.args[0]}") from None


_token_use = token_use


def check(response: pb.Response) -> pb.Response:
    """Raises AuthRPCError unless ``response.status`` is OK (for pipelined answers)."""
    if response.status != pb.OK:
        raise AuthRPCError(response)
    return response
