"""asyncio authrpc client: the blocking client's API with ``async`` methods.

    from authrpc_client import aio

    async with aio.Client(["10.0.0.5:7400", "10.0.0.6:7400"], timeout=5.0) as client:
        claims = (await client.verify_token(token, "access")).claims

One connection per client, shared by every task: requests are pipelined and
answers matched by id (SPEC §3), so ``asyncio.gather`` over many calls costs
one round trip, not one each. Addresses, reconnect with backoff, deadlines,
TLS and errors behave as in :class:`authrpc_client.Client`. A Client belongs to
the event loop it first connects on.
"""

import asyncio
import copy
import ssl
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _requests as rq
from . import authrpc_pb2 as pb
from ._dial import Address, AddressLike, Dialer, format_address, parse_addresses, tune_socket
from ._requests import TokenUseLike
from .errors import (AuthRPCError, ConnectFailed, ConnectionLost, FrameTooLarge, RequestTimeout,
                     TLSError, TransportError)
from .client import _plaintext_to_tls
from .framing import DEFAULT_MAX_FRAME_BYTES, HEADER, decode_response, encode_frame, looks_like_tls
from .tls import resolve_tls

__all__ = ["Client"]

_DRAIN_AT = 256 * 1024  # buffered bytes above which a writer waits for the socket

Failure = Union[TransportError, pb.Response]


def _exception(failure: Failure) -> Exception:
    if isinstance(failure, pb.Response):
        return AuthRPCError(failure)
    return copy.copy(failure)


def _remaining(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class _Connection:
    """A stream pair, a reader task and the futures waiting for answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 address: Address, max_frame_bytes: int, tls: bool):
        self.reader = reader
        self.tls = tls
        self.answered = False  # a frame has arrived on this connection
        self.writer = writer
        self.address = address
        self.name = format_address(address)
        self.max_frame_bytes = max_frame_bytes
        self.pending: Dict[int, "asyncio.Future[pb.Response]"] = {}
        self.alive = True
        self.abort_reason: Optional[TransportError] = None
        self.failure: Optional[Failure] = None  # why the reader stopped
        self.drain_lock = asyncio.Lock()
        self.task = asyncio.get_running_loop().create_task(self._read_loop())

    @classmethod
    async def open(cls, address: Address, timeout: Optional[float],
                   context: Optional[ssl.SSLContext], server_name: Optional[str],
                   max_frame_bytes: int) -> "_Connection":
        name = format_address(address)
        host, port = address
        kwargs: Dict[str, Any] = {}
        if context is not None:
            kwargs = {"ssl": context, "server_hostname": server_name or host}
            if timeout is not None:
                kwargs["ssl_handshake_timeout"] = max(timeout, 0.001)
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=max(65536, 2 * max_frame_bytes), **kwargs),
                timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout(f"connect to {name} timed out", name) from None
        except ssl.SSLCertVerificationError as exc:
            raise TLSError(f"TLS handshake with {name}: certificate verify failed: "
                           f"{exc.verify_message or exc}", name) from None
        except ssl.SSLError as exc:
            raise TLSError(f"TLS handshake with {name}: {exc}", name) from None
        except OSError as exc:
            raise ConnectFailed(f"connect to {name}: {exc}", name) from None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            tune_socket(sock)
        return cls(reader, writer, address, max_frame_bytes, context is not None)

    def _closed_error(self) -> Exception:
        """Why this connection is unusable: what stopped its reader when that is
        known (a TLS refusal says more than "closed")."""
        if isinstance(self.failure, TLSError):
            return _exception(self.failure)
        return ConnectionLost(f"connection to {self.name} closed", self.name)

    def _reset_failure(self, exc: OSError) -> TransportError:
        """A reset before any answer on TLS is, in practice, the server refusing
        this client's certificate (or its absence). In TLS 1.3 that refusal comes
        after the client's handshake has finished, as an alert followed by a
        reset; when the first write meets the reset, asyncio closes the transport
        without reading the alert, so the reset is all that is left to report."""
        if self.tls and not self.answered:
            return TLSError(f"TLS on {self.name}: the server reset the connection right after "
                            f"the handshake, before any answer: it may require a client "
                            f"certificate, or have refused this one ({exc})", self.name)
        return ConnectionLost(f"read from {self.name}: {exc}", self.name)

    def register(self, rid: int) -> "asyncio.Future[pb.Response]":
        if not self.alive:
            raise self._closed_error()
        future: "asyncio.Future[pb.Response]" = asyncio.get_running_loop().create_future()
        self.pending[rid] = future
        return future

    async def write(self, data: bytes) -> None:
        if not self.alive:
            raise self._closed_error()
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > _DRAIN_AT:
            async with self.drain_lock:
                try:
                    await self.writer.drain()
                except (ConnectionError, OSError) as exc:
                    err = ConnectionLost(f"write to {self.name}: {exc}", self.name)
                    self.abort(err)
                    raise copy.copy(err) from None

    def abort(self, reason: TransportError) -> None:
        if self.abort_reason is None:
            self.abort_reason = reason
        self.task.cancel()

    async def close(self) -> None:
        self.abort(ConnectionLost(f"connection to {self.name} closed by the client", self.name))
        try:
            await self.task
        except asyncio.CancelledError:
            pass

    def _dispatch(self, resp: pb.Response) -> None:
        if resp.id == 0:
            # SPEC §3 connection-level answer: the one waiting call's if there is
            # only one, else nobody's (fail them all and drop the connection).
            if len(self.pending) == 1 and resp.error_type != "FrameTooLarge":
                (future,) = self.pending.values()
                self.pending.clear()
                if not future.done():
                    future.set_result(resp)
                return
            raise _Stop(resp)
        waiting = self.pending.pop(resp.id, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(resp)

    async def _read_loop(self) -> None:
        failure: Failure
        try:
            while True:
                header = await self.reader.readexactly(HEADER.size)
                (n,) = HEADER.unpack(header)
                if n > self.max_frame_bytes:
                    if not self.tls and looks_like_tls(header):
                        raise _plaintext_to_tls(self.name)
                    raise FrameTooLarge(f"frame of {n} bytes exceeds the limit of "
                                        f"{self.max_frame_bytes}", self.name)
                self.answered = True
                self._dispatch(decode_response(await self.reader.readexactly(n)))
        except asyncio.CancelledError:
            failure = ConnectionLost(f"connection to {self.name} closed", self.name)
        except _Stop as stop:
            failure = stop.failure
        except asyncio.IncompleteReadError:
            failure = ConnectionLost(f"connection to {self.name} closed by the server", self.name)
        except ssl.SSLError as exc:
            failure = TLSError(f"TLS on {self.name}: {exc}", self.name)
        except TransportError as exc:
            exc.address = exc.address or self.name
            failure = exc
        except (ConnectionResetError, BrokenPipeError) as exc:
            failure = self._reset_failure(exc)
        except OSError as exc:
            failure = ConnectionLost(f"read from {self.name}: {exc}", self.name)
        except Exception as exc:  # never leave callers waiting
            failure = ConnectionLost(f"reader of {self.name} failed: {exc!r}", self.name)
        self.alive = False
        if self.abort_reason is not None:
            failure = self.abort_reason
        self.failure = failure
        pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(_exception(failure))
                future.exception()  # retrieved: a caller that timed out will not look
        self.writer.close()


class _Stop(Exception):
    def __init__(self, failure: Failure):
        self.failure = failure


class Client:
    """asyncio twin of :class:`authrpc_client.Client` (same arguments)."""

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
        self._connect_lock: Optional[asyncio.Lock] = None
        self._next_id = 1

    # -- lifecycle -------------------------------------------------------------

    async def connect(self) -> "Client":
        await self._connection(self._deadline(None))
        return self

    async def close(self) -> None:
        """Closes the connection; calls in flight fail with ConnectionLost. The
        client may be used again (it reconnects)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def __aenter__(self) -> "Client":
        return await self.connect()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def connected_address(self) -> Optional[str]:
        conn = self._conn
        return conn.name if conn is not None and conn.alive else None

    def _deadline(self, timeout: Optional[float]) -> Optional[float]:
        timeout = self.timeout if timeout is None else timeout
        return None if timeout is None else time.monotonic() + timeout

    def _take_id(self) -> int:
        rid = self._next_id
        self._next_id = rid + 1 if rid < 2**64 - 1 else 1
        return rid

    async def _connection(self, deadline: Optional[float]) -> _Connection:
        conn = self._conn
        if conn is not None and conn.alive:
            return conn
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        try:
            await asyncio.wait_for(self._connect_lock.acquire(), _remaining(deadline))
        except asyncio.TimeoutError:
            raise RequestTimeout("timed out waiting for a connection") from None
        try:
            conn = self._conn
            if conn is not None and conn.alive:
                return conn
            self._conn = None
            return await self._dial(deadline)
        finally:
            self._connect_lock.release()

    async def _dial(self, deadline: Optional[float]) -> _Connection:
        dialer = self._dialer
        wait = dialer.wait_seconds()
        if wait > 0:
            if deadline is not None and time.monotonic() + wait > deadline:
                raise ConnectFailed(f"not connected; next attempt in {wait:.2f}s "
                                    f"(last: {dialer.last_error})")
            await asyncio.sleep(wait)
        errors: List[TransportError] = []
        for address in dialer.round():
            timeout = _remaining(deadline)
            if timeout is not None and timeout <= 0:
                break
            if self.connect_timeout is not None:
                timeout = self.connect_timeout if timeout is None else min(timeout, self.connect_timeout)
            try:
                conn = await _Connection.open(address, timeout, self.ssl_context,
                                              self.tls_server_name, self.max_frame_bytes)
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

    # -- calls ------------------------------------------------------------------

    async def call(self, request: pb.Request, *, timeout: Optional[float] = None) -> pb.Response:
        """Sends any Request (its id is replaced) and returns the OK Response;
        raises AuthRPCError (the subclass of the status) or TransportError."""
        resp = await self._exchange(request, timeout)
        if resp.status != pb.OK:
            raise AuthRPCError(resp)
        return resp

    async def _exchange(self, request: pb.Request, timeout: Optional[float]) -> pb.Response:
        deadline = self._deadline(timeout)
        req = pb.Request()
        req.CopyFrom(request)
        req.id = self._take_id()
        req.deadline_ms = rq.deadline_ms(req.deadline_ms, timeout, self.deadline_ms)
        req.traceparent = rq.trace(req.traceparent, self.traceparent)
        frame = encode_frame(req)
        for attempt in (1, 2):
            conn = await self._connection(deadline)
            try:
                future = conn.register(req.id)
                break
            except ConnectionLost:  # closed just now; nothing was sent
                if attempt == 2:
                    raise
        try:
            await conn.write(frame)
            return await asyncio.wait_for(future, _remaining(deadline))
        except asyncio.TimeoutError:
            raise RequestTimeout(f"no answer from {conn.name} in time", conn.name) from None
        finally:
            conn.pending.pop(req.id, None)

    async def pipeline(self, requests: Iterable[pb.Request], window: int = 512,
                       *, timeout: Optional[float] = None) -> List[pb.Response]:
        """Sends all requests with at most ``window`` in flight and returns their
        answers in request order, each with its own status (nothing raised for
        a non-OK one; an id-0 answer raises AuthRPCError)."""
        gate = asyncio.Semaphore(window)

        async def one(request: pb.Request) -> pb.Response:
            async with gate:
                resp = await self._exchange(request, timeout)
            if resp.id == 0:
                raise AuthRPCError(resp)
            return resp

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def _rpc(self, rpc: rq.Rpc, timeout: Optional[float]):
        return rq.body_of(await self.call(rq.build(rpc), timeout=timeout), rpc)

    async def health(self, *, timeout: Optional[float] = None) -> pb.HealthResponse:
        return await self._rpc(rq.health(), timeout)

    async def register(self, username: str, password: str, email: str = "",
                       attributes: Optional[Dict[str, str]] = None, *,
                       timeout: Optional[float] = None) -> pb.RegisterResponse:
        return await self._rpc(rq.register(username, password, email, attributes), timeout)

    async def confirm_registration(self, username: str, code: str, *, timeout: Optional[float] = None
                                   ) -> pb.ConfirmRegistrationResponse:
        return await self._rpc(rq.confirm_registration(username, code), timeout)

    async def resend_confirmation_code(self, username: str, *, timeout: Optional[float] = None
                                       ) -> pb.ResendConfirmationCodeResponse:
        return await self._rpc(rq.resend_confirmation_code(username), timeout)

    async def authenticate(self, username: str, password: str, *,
                           timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        return await self._rpc(rq.authenticate(username, password), timeout)

    async def respond_to_challenge(self, username: str, challenge_name: str, session: str,
                                   responses: Optional[Dict[str, str]] = None, *,
                                   timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        return await self._rpc(rq.respond_to_challenge(username, challenge_name, session, responses),
                               timeout)

    async def refresh_tokens(self, refresh_token: str, username: str = "", *,
                             timeout: Optional[float] = None) -> pb.AuthenticateResponse:
        return await self._rpc(rq.refresh_tokens(refresh_token, username), timeout)

    async def sign_out(self, access_token: str, *,
                       timeout: Optional[float] = None) -> pb.SignOutResponse:
        return await self._rpc(rq.sign_out(access_token), timeout)

    async def forgot_password(self, username: str, *,
                              timeout: Optional[float] = None) -> pb.ForgotPasswordResponse:
        return await self._rpc(rq.forgot_password(username), timeout)

    async def confirm_forgot_password(self, username: str, code: str, new_password: str, *,
                                      timeout: Optional[float] = None
                                      ) -> pb.ConfirmForgotPasswordResponse:
        return await self._rpc(rq.confirm_forgot_password(username, code, new_password), timeout)

    async def verify_token(self, token: str, token_use: TokenUseLike = None,
                           required_scopes: Sequence[str] = (), *,
                           timeout: Optional[float] = None) -> pb.VerifyTokenResponse:
        return await self._rpc(rq.verify_token(token, token_use, required_scopes), timeout)

    async def check_groups(self, token: str, token_use: TokenUseLike = None, *,
                           allowed_groups: Sequence[str] = (), required_groups: Sequence[str] = (),
                           prohibited_groups: Sequence[str] = (),
                           timeout: Optional[float] = None) -> pb.CheckGroupsResponse:
        return await self._rpc(rq.check_groups(token, token_use, allowed_groups, required_groups,
                                               prohibited_groups), timeout)
