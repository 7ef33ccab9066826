"""Blocking authrpc client: thread-safe, one multiplexed connection (SPEC §3, §10).

Blocking calls (``client.verify_token(...)``) send one request and wait for its
answer; they return the RPC's response body message (``VerifyTokenResponse``,
...) or raise :class:`AuthRPCError` (the subclass of the status). Any number of
threads may share one Client: their requests are pipelined on one connection
and matched to their answers by id (answers may come back in any order). A
reader thread per connection takes answers off the socket and hands each to
the call waiting for its id; an answer nobody waits for any more (its call
timed out) is dropped.

For throughput from one thread, ``send`` / ``receive`` and ``pipeline`` keep
many requests in flight without a thread each; their answers are the calling
thread's own (pipelined state is per thread).

The client holds a list of addresses. A dropped connection fails the calls in
flight on it with :class:`ConnectionLost` (never retried: sign-up and sign-in
are not idempotent) and the next call connects again, to the next address
first; rounds in which no address answers are spaced by a jittered,
exponentially growing backoff.
"""

import copy
import queue
import select
import socket
import ssl
import threading
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _requests as rq
from . import authrpc_pb2 as pb
from ._dial import Address, AddressLike, Dialer, format_address, parse_addresses, tune_socket
from ._requests import TokenUseLike, token_use
from .errors import (AuthRPCError, ConnectFailed, ConnectionLost, FrameTooLarge, ProtocolError,
                     RequestTimeout, TLSError, TransportError)
from .framing import (DEFAULT_MAX_FRAME_BYTES, decode_response, encode_frame, looks_like_tls,
                      take_frame)
from .tls import resolve_tls

_FLUSH_AT = 64 * 1024  # queued bytes that trigger a write in send()
_READ_CHUNK = 64 * 1024
_WOULD_BLOCK = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
_shutdown = socket.socket.shutdown  # the plain socket's: SSLSocket.shutdown drops the TLS state


def _deadline(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else time.monotonic() + timeout


def _remaining(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


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


# A failure handed to waiters: a TransportError, or an id-0 Response (SPEC §3
# connection-level answer such as FrameTooLarge) that becomes an AuthRPCError.
Failure = Union[TransportError, pb.Response]


def _plaintext_to_tls(name: str) -> TLSError:
    return TLSError(f"{name} answered with TLS; this client speaks plaintext "
                    "(pass tls_ca=..., tls=True or an SSLContext)", name)


def _exception(failure: Failure) -> Exception:
    if isinstance(failure, pb.Response):
        return AuthRPCError(failure)
    return copy.copy(failure)  # one instance per raising thread


class _Call:
    """One blocking call's slot: a lock held until the answer or a failure."""

    __slots__ = ("lock", "response", "failure")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()
        self.response: Optional[pb.Response] = None
        self.failure: Optional[Failure] = None

    def answer(self, response: pb.Response) -> None:
        self.response = response
        self.lock.release()

    def fail(self, failure: Failure) -> None:
        self.failure = failure
        self.lock.release()


class _Failed:
    """Queued for a pipelining thread in place of ``count`` answers that will never come."""

    __slots__ = ("failure", "count")

    def __init__(self, failure: Failure, count: int):
        self.failure = failure
        self.count = count


class _PipeState:
    """One thread's pipelined requests: queued bytes and answers in arrival order."""

    def __init__(self) -> None:
        self.answers: "queue.SimpleQueue[Union[pb.Response, _Failed]]" = queue.SimpleQueue()
        self.in_flight = 0
        self.wbuf = bytearray()
        self.conn: Optional["_Connection"] = None


class _Piped:
    __slots__ = ("state",)

    def __init__(self, state: _PipeState):
        self.state = state

    def answer(self, response: pb.Response) -> None:
        self.state.answers.put(response)


class _Stop(Exception):
    def __init__(self, failure: Failure):
        self.failure = failure


class _Connection:
    """A non-blocking socket, a reader thread and the calls waiting on it.

    Only the reader thread closes the socket, after waking any writer with
    shutdown(), so no thread ever uses a closed (or reused) descriptor. With TLS
    every recv/send holds ``io_lock`` (an SSL object serves one thread at a time);
    waiting for readiness happens outside it.
    """

    def __init__(self, sock: socket.socket, address: Address, max_frame_bytes: int, tls: bool):
        self.sock = sock
        self.fd = sock.fileno()
        self.address = address
        self.name = format_address(address)
        self.max_frame_bytes = max_frame_bytes
        self.lock = threading.Lock()        # pending, alive
        self.write_lock = threading.Lock()  # one frame (or batch) on the wire at a time
        self.io_lock = threading.Lock() if tls else None
        self.pending: Dict[int, Union[_Call, _Piped]] = {}
        self.alive = True
        self.abort_reason: Optional[TransportError] = None
        self.failure: Optional[Failure] = None  # why the reader stopped
        self.stopped = threading.Event()
        self.reader = threading.Thread(target=self._read_loop, name=f"authrpc-reader {self.name}",
                                       daemon=True)
        self.reader.start()

    @classmethod
    def open(cls, address: Address, timeout: Optional[float], context: Optional[ssl.SSLContext],
             server_name: Optional[str], max_frame_bytes: int) -> "_Connection":
        name = format_address(address)
        try:
            sock = socket.create_connection(address, timeout=timeout)
        except socket.timeout:
            raise RequestTimeout(f"connect to {name} timed out", name) from None
        except OSError as exc:
            raise ConnectFailed(f"connect to {name}: {exc}", name) from None
        try:
            tune_socket(sock)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=server_name or address[0])
            sock.setblocking(False)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise TLSError(f"TLS handshake with {name}: certificate verify failed: "
                           f"{exc.verify_message or exc}", name) from None
        except ssl.SSLError as exc:
            sock.close()
            raise TLSError(f"TLS handshake with {name}: {exc}", name) from None
        except socket.timeout:
            sock.close()
            raise RequestTimeout(f"TLS handshake with {name} timed out", name) from None
        except OSError as exc:
            sock.close()
            raise ConnectFailed(f"connect to {name}: {exc}", name) from None
        return cls(sock, address, max_frame_bytes, context is not None)

    # -- waiting calls ------------------------------------------------------------

    def _closed_error(self) -> Exception:
        """Why this connection is unusable: what stopped its reader when that is
        known (a TLS refusal says more than "closed")."""
        if isinstance(self.failure, TLSError):
            return _exception(self.failure)
        return ConnectionLost(f"connection to {self.name} closed", self.name)

    def register(self, rid: int, slot: Union[_Call, _Piped]) -> None:
        with self.lock:
            if not self.alive:
                raise self._closed_error()
            self.pending[rid] = slot

    def forget(self, rid: int) -> bool:
        """Removes a call that stops waiting; False if its answer is being delivered."""
        with self.lock:
            return self.pending.pop(rid, None) is not None

    def wait(self, rid: int, slot: _Call, deadline: Optional[float]) -> pb.Response:
        timeout = _remaining(deadline)
        if not slot.lock.acquire(timeout=-1 if timeout is None else timeout):
            if self.forget(rid):
                raise RequestTimeout(f"no answer from {self.name} in time", self.name)
            slot.lock.acquire()  # delivered meanwhile
        if slot.failure is not None:
            raise _exception(slot.failure)
        assert slot.response is not None
        return slot.response

    # -- writing ---------------------------------------------------------------------

    def write(self, data: bytes, deadline: Optional[float]) -> None:
        """Writes whole frames. A timeout before the first byte leaves the
        connection usable; after it, the stream is cut mid-frame and the
        connection is aborted."""
        timeout = _remaining(deadline)
        if not self.write_lock.acquire(timeout=-1 if timeout is None else timeout):
            raise RequestTimeout(f"write to {self.name} timed out", self.name)
        try:
            if not self.alive:
                raise self._closed_error()
            view = memoryview(data)
            sent = 0
            while sent < len(view):
                try:
                    if self.io_lock is None:
                        sent += self.sock.send(view[sent:])
                    else:
                        with self.io_lock:
                            sent += self.sock.send(view[sent:])
                    continue
                except _WOULD_BLOCK:
                    pass
                except OSError as exc:
                    # The reader usually sees why (a TLS alert, a reset) first.
                    self.stopped.wait(timeout=0.5)
                    if self.failure is not None:
                        raise _exception(self.failure) from None
                    err = ConnectionLost(f"write to {self.name}: {exc}", self.name)
                    self.abort(err)
                    raise copy.copy(err) from None
                if _wait(self.fd, select.POLLOUT, deadline) == 0:
                    if sent:
                        self.abort(ConnectionLost(f"write to {self.name} timed out mid-frame", self.name))
                    raise RequestTimeout(f"write to {self.name} timed out", self.name)
        finally:
            self.write_lock.release()

    # -- closing ----------------------------------------------------------------------

    def abort(self, reason: TransportError) -> None:
        """Makes the reader fail every waiting call with ``reason`` and close."""
        with self.lock:
            if self.abort_reason is None:
                self.abort_reason = reason
        try:
            _shutdown(self.sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self, join: bool = True) -> None:
        self.abort(ConnectionLost(f"connection to {self.name} closed by the client", self.name))
        if join and threading.current_thread() is not self.reader:
            self.reader.join(timeout=5)

    # -- reading ----------------------------------------------------------------------

    def _recv_available(self, rbuf: bytearray) -> bool:
        """Reads until the socket would block (TLS may hold decrypted bytes that
        poll() cannot see). False when nothing was there."""
        got = False
        while True:
            try:
                if self.io_lock is None:
                    data = self.sock.recv(_READ_CHUNK)
                else:
                    with self.io_lock:
                        data = self.sock.recv(_READ_CHUNK)
            except _WOULD_BLOCK:
                return got
            if not data:
                raise ConnectionLost(f"connection to {self.name} closed by the server", self.name)
            rbuf += data
            got = True
            if self.io_lock is None and len(data) < _READ_CHUNK:
                return True

    def _dispatch(self, resp: pb.Response) -> None:
        if resp.id == 0:
            # SPEC §3: an answer to a request the server could not read. With one
            # call waiting it is that call's; otherwise nobody can tell whose, so
            # every waiting call fails with it and the connection is dropped.
            with self.lock:
                only = None
                if len(self.pending) == 1 and resp.error_type != "FrameTooLarge":
                    (only,) = self.pending.values()
                    self.pending.clear()
            if only is None:
                raise _Stop(resp)
            only.answer(resp)
            return
        with self.lock:
            slot = self.pending.pop(resp.id, None)
        if slot is not None:
            slot.answer(resp)

    def _read_loop(self) -> None:
        rbuf = bytearray()
        failure: Failure
        try:
            while True:
                if not self._recv_available(rbuf):
                    _wait(self.fd, select.POLLIN, None)
                    continue
                while True:
                    try:
                        body = take_frame(rbuf, self.max_frame_bytes)
                    except FrameTooLarge:
                        if self.io_lock is None and looks_like_tls(rbuf):
                            raise _plaintext_to_tls(self.name) from None
                        raise
                    if body is None:
                        break
                    self._dispatch(decode_response(body))
        except _Stop as stop:
            failure = stop.failure
        except ssl.SSLError as exc:
            failure = TLSError(f"TLS on {self.name}: {exc}", self.name)
        except TransportError as exc:
            exc.address = exc.address or self.name
            failure = exc
        except OSError as exc:
            failure = ConnectionLost(f"read from {self.name}: {exc}", self.name)
        except BaseException as exc:  # never leave callers waiting
            failure = ConnectionLost(f"reader of {self.name} failed: {exc!r}", self.name)
        with self.lock:
            self.alive = False
            if self.abort_reason is not None:
                failure = self.abort_reason
            pending, self.pending = self.pending, {}
            self.failure = failure
        self.stopped.set()
        try:
            _shutdown(self.sock, socket.SHUT_RDWR)  # wakes a writer waiting for room
        except OSError:
            pass
        piped: Dict[int, Tuple[_PipeState, int]] = {}
        for slot in pending.values():
            if isinstance(slot, _Piped):
                state, n = piped.get(id(slot.state), (slot.state, 0))
                piped[id(state)] = (state, n + 1)
            else:
                slot.fail(failure)
        for state, n in piped.values():
            state.answers.put(_Failed(failure, n))
        with self.write_lock:
            self.sock.close()


class Client:
    """A multiplexed connection to one of a list of authrpc servers, opened on
    first use and reused; safe to share between threads.

    ``host``/``port`` name one server; ``addresses`` (or a list as ``host``) name
    several, each ``"host:port"`` or ``(host, port)``. ``timeout`` (seconds,
    None = wait for ever) bounds each blocking call, including connecting, and
    each ``receive``; a call's own ``timeout=`` overrides it and is also sent as
    the request's ``deadline_ms`` (SPEC §3), so the server gives up too.
    ``deadline_ms`` is the default for requests without one. ``connect_timeout``
    bounds one connection attempt, so a dead address leaves time for the next.
    ``traceparent`` (W3C, SPEC §9) goes with every request that has none of its own
    and is not inside a :func:`authrpc_client.traceparent` block.

    TLS (SPEC §8): ``tls`` takes an ``ssl.SSLContext``, or True, or set
    ``tls_ca`` (PEM CA file), ``tls_cert``/``tls_key`` (a client certificate for
    mTLS) and ``tls_server_name`` (the name to verify, default the host); see
    :func:`authrpc_client.tls_context`. Verification is always on.
    """

    def __init__(self, host: Union[AddressLike, Sequence[AddressLike]] = "127.0.0.1",
                 port: int = 7400, *, addresses: Optional[Sequence[AddressLike]] = None,
                 timeout: Optional[float] = 5.0, deadline_ms: int = 0, traceparent: str = "",
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 connect_timeout: Optional[float] = 2.0,
                 backoff_initial: float = 0.05, backoff_max: float = 2.0,
                 tls: Union[ssl.SSLContext, bool, None] = None, tls_ca: Optional[str] = None,
                 tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                 tls_server_name: Optional[str] = None):
        self.addresses: List[Address] = parse_addresses(host, port, addresses)
        self.host, self.port = self.addresses[0]
        self.timeout = timeout
        self.deadline_ms = deadline_ms
        self.traceparent = traceparent
        self.max_frame_bytes = max_frame_bytes
        self.connect_timeout = connect_timeout
        self.ssl_context = resolve_tls(tls, tls_ca, tls_cert, tls_key, tls_server_name)
        self.tls_server_name = tls_server_name
        self._dialer = Dialer(self.addresses, backoff_initial, backoff_max)
        self._conn: Optional[_Connection] = None
        self._connect_lock = threading.Lock()
        self._id_lock = threading.Lock()
        self._next_id = 1
        self._local = threading.local()

    # -- lifecycle -------------------------------------------------------------

    def connect(self) -> "Client":
        """Opens the connection now rather than on the first call."""
        self._connection(_deadline(self.timeout))
        return self

    def close(self) -> None:
        """Closes the connection; calls in flight fail with ConnectionLost. The
        client may be used again (it reconnects)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        state = getattr(self._local, "pipe", None)
        if state is not None:
            self._local.pipe = _PipeState()

    def __enter__(self) -> "Client":
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close(join=False)

    @property
    def connected_address(self) -> Optional[str]:
        """"host:port" of the open connection, None when there is none."""
        conn = self._conn
        return conn.name if conn is not None and conn.alive else None

    @property
    def in_flight(self) -> int:
        """Requests this thread pipelined with send() whose answers it has not received."""
        state = getattr(self._local, "pipe", None)
        return 0 if state is None else state.in_flight

    def _pipe(self) -> _PipeState:
        state = getattr(self._local, "pipe", None)
        if state is None:
            state = self._local.pipe = _PipeState()
        return state

    def _take_id(self) -> int:
        with self._id_lock:
            rid = self._next_id
            self._next_id = rid + 1 if rid < 2**64 - 1 else 1  # 0 means "connection error"
        return rid

    def _connection(self, deadline: Optional[float]) -> _Connection:
        conn = self._conn
        if conn is not None and conn.alive:
            return conn
        timeout = _remaining(deadline)
        if not self._connect_lock.acquire(timeout=-1 if timeout is None else timeout):
            raise RequestTimeout("timed out waiting for a connection")
        try:
            conn = self._conn
            if conn is not None and conn.alive:
                return conn
            self._conn = None
            return self._dial(deadline)
        finally:
            self._connect_lock.release()

    def _dial(self, deadline: Optional[float]) -> _Connection:
        """One round over the addresses, after the backoff of failed rounds."""
        dialer = self._dialer
        wait = dialer.wait_seconds()
        if wait > 0:
            if deadline is not None and time.monotonic() + wait > deadline:
                raise ConnectFailed(f"not connected; next attempt in {wait:.2f}s "
                                    f"(last: {dialer.last_error})")
            time.sleep(wait)
        errors: List[TransportError] = []
        for address in dialer.round():
            timeout = _remaining(deadline)
            if timeout is not None and timeout <= 0:
                break
            if self.connect_timeout is not None:
                timeout = self.connect_timeout if timeout is None else min(timeout, self.connect_timeout)
            try:
                conn = _Connection.open(address, timeout, self.ssl_context, self.tls_server_name,
                                        self.max_frame_bytes)
            except TransportError as exc:
                errors.append(exc)
                continue
            dialer.connected(address)
            self._conn = conn
            return conn
        if not errors:
            errors.append(RequestTimeout("no time left to connect"))
        text = "; ".join(str(e) for e in errors)
        dialer.failed(text)
        kinds = {type(e) for e in errors}
        cls = kinds.pop() if len(kinds) == 1 else ConnectFailed
        raise cls(text, errors[-1].address)

    # -- blocking calls ---------------------------------------------------------

    def call(self, request: pb.Request, *, timeout: Optional[float] = None) -> pb.Response:
        """Sends any Request (its id is replaced) and returns the OK Response.

        Raises AuthRPCError (the subclass of the status) for a non-OK answer,
        including an id-0 connection-level error such as MalformedRequest or
        FrameTooLarge; TransportError when the answer cannot come.
        """
        if self.in_flight:
            raise RuntimeError("this thread has pipelined requests in flight; receive them first")
        deadline = _deadline(self.timeout if timeout is None else timeout)
        req = pb.Request()
        req.CopyFrom(request)
        req.id = self._take_id()
        req.deadline_ms = rq.deadline_ms(req.deadline_ms, timeout, self.deadline_ms)
        req.traceparent = rq.trace(req.traceparent, self.traceparent)
        frame = encode_frame(req)
        slot = _Call()
        for attempt in (1, 2):
            conn = self._connection(deadline)
            try:
                conn.register(req.id, slot)
                break
            except ConnectionLost:  # closed just now; nothing was sent
                if attempt == 2:
                    raise
        try:
            conn.write(frame, deadline)
        except TransportError:
            conn.forget(req.id)
            raise
        resp = conn.wait(req.id, slot, deadline)
        if resp.status != pb.OK:
            raise AuthRPCError(resp)
        return resp

    def _rpc(self, rpc: rq.Rpc, timeout: Optional[float]):
        return rq.body_of(self.call(rq.build(rpc), timeout=timeout), rpc)

    def health(self, *, timeout: Optional[float] = None) -> pb.HealthResponse:
        """Raises Unavailable (NotReady) until every pool has keys; the body is
        then in ``err.response.health``."""
        return self._rpc(rq.health(), timeout)

    def register(self, username: str, password: str, email: str = "",
                 attributes: Optional[Dict[str, str]] = None, *,
                 timeout: Optional[float] = None) -> pb.RegisterResponse:
        return self._rpc(rq.register(username, password, email, attributes), timeout)

    def confirm_registration(self, username: str, code: str, *,
                             timeout: Optional[float] = None) -> pb.ConfirmRegistrationResponse:
        return self._rpc(rq.confirm_registration(username, code), timeout)

    def resend_confirmation_code(self, username: str, *, timeout: Optional[float] = None
                                 ) -> pb.ResendConfirmationCodeResponse:
        return self._rpc(rq.resend_confirmation_code(username), timeout)

    def authenticate(self, username: str, password: str, *,
                     timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        """``.tokens`` or ``.challenge`` is set (``HasField`` tells which)."""
        return self._rpc(rq.authenticate(username, password), timeout)

    def respond_to_challenge(self, username: str, challenge_name: str, session: str,
                             responses: Optional[Dict[str, str]] = None, *,
                             timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        return self._rpc(rq.respond_to_challenge(username, challenge_name, session, responses),
                         timeout)

    def refresh_tokens(self, refresh_token: str, username: str = "", *,
                       timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        return self._rpc(rq.refresh_tokens(refresh_token, username), timeout)

    def sign_out(self, access_token: str, *, timeout: Optional[float] = None) -> pb.SignOutResponse:
        return self._rpc(rq.sign_out(access_token), timeout)

    def forgot_password(self, username: str, *,
                        timeout: Optional[float] = None) -> pb.ForgotPasswordResponse:
        return self._rpc(rq.forgot_password(username), timeout)

    def confirm_forgot_password(self, username: str, code: str, new_password: str, *,
                                timeout: Optional[float] = None) -> pb.ConfirmForgotPasswordResponse:
        return self._rpc(rq.confirm_forgot_password(username, code, new_password), timeout)

    def verify_token(self, token: str, token_use: TokenUseLike = None,
                     required_scopes: Sequence[str] = (), *,
                     timeout: Optional[float] = None) -> pb.VerifyTokenResponse:
        """``token_use``: "id", "access" or None (any). ``.claims`` holds the claims."""
        return self._rpc(rq.verify_token(token, token_use, required_scopes), timeout)

    def check_groups(self, token: str, token_use: TokenUseLike = None, *,
                     allowed_groups: Sequence[str] = (), required_groups: Sequence[str] = (),
                     prohibited_groups: Sequence[str] = (),
                     timeout: Optional[float] = None) -> pb.CheckGroupsResponse:
        """Every rule given must hold (SPEC §6); a failed rule raises
        PermissionDenied (GroupCheckFailed)."""
        return self._rpc(rq.check_groups(token, token_use, allowed_groups, required_groups,
                                         prohibited_groups), timeout)

    # -- pipelining ---------------------------------------------------------------

    def send(self, request: pb.Request) -> int:
        """Queues a request (its id is replaced) and returns the id assigned.
        Bytes go out when 64 KiB are queued, on flush() or on receive()."""
        state = self._pipe()
        req = pb.Request()
        req.CopyFrom(request)
        req.id = self._take_id()
        if not req.deadline_ms:
            req.deadline_ms = self.deadline_ms
        req.traceparent = rq.trace(req.traceparent, self.traceparent)
        conn = self._connection(_deadline(self.timeout))
        if state.conn is not conn:
            state.wbuf.clear()  # frames for a dropped connection; their calls have failed
            state.conn = conn
        conn.register(req.id, _Piped(state))
        state.wbuf += encode_frame(req)
        state.in_flight += 1
        if len(state.wbuf) >= _FLUSH_AT:
            self.flush()
        return req.id

    def flush(self) -> None:
        """Writes what send() queued. On a timeout what was not written stays queued."""
        state = getattr(self._local, "pipe", None)
        if state is None or not state.wbuf or state.conn is None:
            return
        conn = state.conn
        try:
            conn.write(bytes(state.wbuf), _deadline(self.timeout))
        except RequestTimeout:
            if not conn.alive or conn.abort_reason is not None:
                state.wbuf.clear()
            raise
        except TransportError:
            state.wbuf.clear()
            raise
        state.wbuf.clear()

    def receive(self) -> pb.Response:
        """The next answer to this thread's pipelined requests, in arrival order,
        whatever its status (id 0: a connection-level error). A timeout leaves
        the connection usable; a dropped connection raises TransportError once
        for all the requests it took with it."""
        state = getattr(self._local, "pipe", None)
        if state is None or (state.in_flight == 0 and state.answers.empty()):
            raise TransportError("no pipelined request in flight")
        self.flush()
        try:
            item = state.answers.get(timeout=self.timeout)
        except queue.Empty:
            raise RequestTimeout("read timed out") from None
        if isinstance(item, _Failed):
            state.in_flight = max(0, state.in_flight - item.count)
            if isinstance(item.failure, pb.Response):
                return item.failure
            raise _exception(item.failure)
        if item.id != 0 and state.in_flight:
            state.in_flight -= 1
        elif item.id == 0:
            state.in_flight = 0
            if state.conn is not None:
                state.conn.abort(ConnectionLost("connection-level error answer", state.conn.name))
        return item

    def pipeline(self, requests: Iterable[pb.Request], window: int = 512) -> List[pb.Response]:
        """Sends all requests with at most ``window`` in flight and returns their
        answers in request order (each with its own status; nothing raised for a
        non-OK one). An id-0 answer means the server could not read a request:
        AuthRPCError is raised and the connection closed."""
        if self.in_flight:
            raise RuntimeError("pipelined requests are in flight; receive them first")
        ids: List[int] = []
        answers: Dict[int, pb.Response] = {}

        def take_one() -> None:
            resp = self.receive()
            if resp.id == 0:
                raise AuthRPCError(resp)
            answers[resp.id] = resp

        for request in requests:
            if self.in_flight >= window:
                take_one()
            ids.append(self.send(request))
        while self.in_flight:
            take_one()
        try:
            return [answers.pop(i) for i in ids]
        except KeyError as exc:
            raise ProtocolError(f"no answer for id {exc.args[0]}") from None


_token_use = token_use


def check(response: pb.Response) -> pb.Response:
    """Raises AuthRPCError unless ``response.status`` is OK (for pipelined answers)."""
    if response.status != pb.OK:
        raise AuthRPCError(response)
    return response
