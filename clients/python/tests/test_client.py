"""Client behaviour against scripted fake servers on 127.0.0.1:<free port>."""
import asyncio
import pickle
import socket
import ssl
import struct
import threading
import time

import pytest

import authrpc_client
from authrpc_client import (AlreadyExists, AuthRPCError, Client, ConnectFailed, ConnectionLost,
                            DeadlineExceeded, FrameTooLarge, PermissionDenied, ProtocolError,
                            RequestTimeout, ResourceExhausted, TLSError, TransportError,
                            Unauthenticated, Unavailable, aio, check, encode_frame, pb, tls_context)
from conftest import free_port


def read_request(sock):
    header = _read_exactly(sock, 4)
    if header is None:
        return None
    (n,) = struct.unpack(">I", header)
    body = _read_exactly(sock, n)
    return None if body is None else pb.Request.FromString(body)


def _read_exactly(sock, n):
    data = b""
    while len(data) < n:
        try:
            chunk = sock.recv(n - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


class FakeServer:
    """Accepts connections; each is served by `script(sock)` in its own thread
    (after a TLS handshake when `context` is an SSLContext)."""

    def __init__(self, script, port=0, context=None):
        self.script = script
        self.context = context
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.handshake_errors = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        if self.context is not None:
            try:
                sock.settimeout(5)
                sock = self.context.wrap_socket(sock, server_side=True)
                sock.settimeout(None)
            except (OSError, ssl.SSLError) as exc:
                self.handshake_errors.append(exc)
                sock.close()
                return
        with sock:
            try:
                self.script(sock)
            except OSError:
                pass

    def client(self, **kwargs):
        kwargs.setdefault("timeout", 5.0)
        return Client("127.0.0.1", self.port, **kwargs)

    def close(self):
        self.listener.close()


@pytest.fixture
def serve():
    servers = []

    def start(script, **kwargs):
        server = FakeServer(script, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def answer(req):
    """A tiny fake authrpc."""
    resp = pb.Response(id=req.id)
    body = req.WhichOneof("body")
    if body == "health":
        resp.health.version = "test-1"
    elif body == "verify_token":
        v = req.verify_token
        if v.token != "good":
            resp.status = pb.UNAUTHENTICATED
            resp.error_type = "TokenExpired"
            resp.message = "token expired"
        elif v.token_use != pb.TOKEN_USE_ACCESS or list(v.required_scopes) != ["openid"]:
            resp.status = pb.INVALID_ARGUMENT
        else:
            resp.verify_token.claims.sub = "user-1"
            resp.verify_token.claims.groups.append("admins")
    elif body == "check_groups":
        g = req.check_groups
        resp.check_groups.claims.sub = "user-1"
        resp.check_groups.matched_groups.extend(
            [x for x in g.allowed_groups if x == "admins"] + list(g.required_groups))
    elif body == "register":
        r = req.register
        if dict(r.attributes) != {"name": "Zoë"} or req.deadline_ms != 1234:
            resp.status = pb.INVALID_ARGUMENT
        else:
            resp.register.user_sub = "sub-1"
            resp.register.code_delivery.delivery_medium = "EMAIL"
    elif body == "authenticate":
        if req.authenticate.password == "right":
            resp.authenticate.tokens.access_token = "access"
        else:
            resp.authenticate.challenge.name = "NEW_PASSWORD_REQUIRED"
            resp.authenticate.challenge.parameters["USER_ID_FOR_SRP"] = req.authenticate.username
    elif body == "respond_to_challenge":
        resp.respond_to_challenge.tokens.id_token = dict(req.respond_to_challenge.responses)["NEW_PASSWORD"]
    elif body == "refresh_tokens":
        resp.refresh_tokens.tokens.access_token = "access-2"
    elif body == "sign_out":
        resp.sign_out.SetInParent()
    elif body == "forgot_password":
        resp.status = pb.RESOURCE_EXHAUSTED
        resp.error_type = "LimitExceededException"
        resp.retry_after_ms = 1500
    elif body in ("confirm_registration", "resend_confirmation_code", "confirm_forgot_password"):
        getattr(resp, body).SetInParent()
    return resp


def script_answer(sock):
    while (req := read_request(sock)) is not None:
        sock.sendall(encode_frame(answer(req)))


def test_typed_calls(serve):
    server = serve(script_answer)
    with server.client() as client:
        assert client.health().version == "test-1"
        claims = client.verify_token("good", "access", ["openid"]).claims
        assert claims.sub == "user-1" and list(claims.groups) == ["admins"]
        got = client.check_groups("good", "id", allowed_groups=["admins", "staff"],
                                  required_groups=["employees"], prohibited_groups=["x"])
        assert list(got.matched_groups) == ["admins", "employees"]
        client.deadline_ms = 1234
        reg = client.register("alice", "Passw0rd!", "a@b.c", {"name": "Zoë"})
        client.deadline_ms = 0
        assert reg.user_sub == "sub-1" and reg.code_delivery.delivery_medium == "EMAIL"
        assert client.authenticate("alice", "right").tokens.access_token == "access"
        challenged = client.authenticate("alice", "other")
        assert challenged.HasField("challenge") and not challenged.HasField("tokens")
        assert challenged.challenge.parameters["USER_ID_FOR_SRP"] == "alice"
        tokens = client.respond_to_challenge("alice", "NEW_PASSWORD_REQUIRED", "s",
                                             {"NEW_PASSWORD": "N3w-Passw0rd"}).tokens
        assert tokens.id_token == "N3w-Passw0rd"
        assert client.refresh_tokens("r", "alice").tokens.access_token == "access-2"
        assert isinstance(client.sign_out("a"), pb.SignOutResponse)
        assert isinstance(client.confirm_registration("alice", "1"), pb.ConfirmRegistrationResponse)
        assert isinstance(client.resend_confirmation_code("alice"), pb.ResendConfirmationCodeResponse)
        assert isinstance(client.confirm_forgot_password("alice", "1", "N3w-Passw0rd"),
                          pb.ConfirmForgotPasswordResponse)
    assert server.connections == 1  # one connection, reused


def test_status_errors(serve):
    server = serve(script_answer)
    with server.client() as client:
        with pytest.raises(AuthRPCError) as info:
            client.verify_token("bad")
        err = info.value
        assert (err.status, err.code, err.error_type, err.message) == (
            "UNAUTHENTICATED", pb.UNAUTHENTICATED, "TokenExpired", "token expired")
        assert str(err) == "UNAUTHENTICATED TokenExpired: token expired"
        with pytest.raises(AuthRPCError) as info:
            client.forgot_password("alice")
        assert info.value.status == "RESOURCE_EXHAUSTED" and info.value.retry_after_ms == 1500
        assert client.health().version == "test-1"  # still usable
    assert server.connections == 1


def test_pipeline_out_of_order(serve):
    def reverse(sock):
        while True:
            batch = []
            for _ in range(50):
                req = read_request(sock)
                if req is None:
                    return
                batch.append(req)
            for req in reversed(batch):
                resp = pb.Response(id=req.id, message=req.verify_token.token)
                if int(req.verify_token.token) % 7 == 0:
                    resp.status = pb.UNAUTHENTICATED
                sock.sendall(encode_frame(resp))

    server = serve(reverse)
    with server.client() as client:
        requests = [pb.Request(verify_token=pb.VerifyTokenRequest(token=str(i))) for i in range(200)]
        answers = client.pipeline(requests, window=100)
        assert [a.message for a in answers] == [str(i) for i in range(200)]
        assert [a.status == pb.UNAUTHENTICATED for a in answers] == [i % 7 == 0 for i in range(200)]
        with pytest.raises(AuthRPCError):
            check(answers[0])
        assert check(answers[1]) is answers[1]

        ids = [client.send(r) for r in requests[:50]]
        assert client.in_flight == 50
        with pytest.raises(RuntimeError):
            client.health()
        got = [client.receive() for _ in range(50)]
        assert [r.id for r in got] == list(reversed(ids)) and client.in_flight == 0


def test_pipeline_bulk_does_not_deadlock(serve):
    """Big requests and big answers, server never waits: both directions fill up
    unless the client reads while it writes."""
    version = "v" * 1024

    def bulk(sock):
        while (req := read_request(sock)) is not None:
            sock.sendall(encode_frame(pb.Response(id=req.id, health=pb.HealthResponse(version=version))))

    server = serve(bulk)
    token = "t" * 2048
    with server.client(timeout=30) as client:
        answers = client.pipeline([pb.Request(verify_token=pb.VerifyTokenRequest(token=token))] * 8000,
                                  window=8000)
        assert len(answers) == 8000 and all(a.health.version == version for a in answers)


def test_oversize_frame_then_reconnect(serve):
    def huge_then_answer(sock):
        req = read_request(sock)
        if req is not None and req.WhichOneof("body") == "sign_out":
            sock.sendall(struct.pack(">I", 0x7FFFFFF0))
            time.sleep(0.2)
            return
        script_answer_from(sock, req)

    server = serve(huge_then_answer)
    client = server.client()
    with pytest.raises(FrameTooLarge):
        client.sign_out("a")
    assert client.health().version == "test-1"  # a new connection
    assert server.connections == 2
    client.close()

    small = server.client(max_frame_bytes=8)
    with pytest.raises(FrameTooLarge):
        small.health()
    small.close()


def script_answer_from(sock, first):
    if first is not None:
        sock.sendall(encode_frame(answer(first)))
    script_answer(sock)


def test_timeouts(serve):
    def stall(sock):
        read_request(sock)
        time.sleep(1.0)

    server = serve(stall)
    client = server.client(timeout=0.1)
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        client.health()
    assert 0.09 <= time.monotonic() - started < 0.9
    assert isinstance(RequestTimeout("x"), TimeoutError)
    client.close()

    def slow(sock):
        req = read_request(sock)
        time.sleep(0.3)
        sock.sendall(encode_frame(pb.Response(id=req.id)))
        time.sleep(0.1)

    server = serve(slow)
    client = server.client(timeout=0.1)
    rid = client.send(pb.Request(health=pb.HealthRequest()))
    with pytest.raises(RequestTimeout):
        client.receive()
    client.timeout = 3
    assert client.receive().id == rid  # a pipelined receive can be retried
    client.close()


def test_broken_servers(serve):
    def close_at_once(sock):
        read_request(sock)

    with serve(close_at_once).client() as client:
        with pytest.raises(TransportError):
            client.health()

    def garbage(sock):
        read_request(sock)
        sock.sendall(b"\x00\x00\x00\x04\xff\xff\xff\xff")
        time.sleep(0.1)

    with serve(garbage).client() as client:
        with pytest.raises(ProtocolError):
            client.health()

    def trickle(sock):
        req = read_request(sock)
        for byte in encode_frame(pb.Response(id=req.id, health=pb.HealthResponse(version="trickled"))):
            sock.sendall(bytes([byte]))
            time.sleep(0.002)
        time.sleep(0.05)

    with serve(trickle).client() as client:
        assert client.health().version == "trickled"

    def id0(sock):
        read_request(sock)
        sock.sendall(encode_frame(pb.Response(status=pb.INVALID_ARGUMENT, error_type="MalformedRequest")))
        time.sleep(0.1)

    with serve(id0).client() as client:
        with pytest.raises(AuthRPCError) as info:
            client.health()
        assert info.value.id == 0 and info.value.error_type == "MalformedRequest"

    def wrong_body(sock):
        req = read_request(sock)
        sock.sendall(encode_frame(pb.Response(id=req.id, sign_out=pb.SignOutResponse())))
        time.sleep(0.1)

    with serve(wrong_body).client() as client:
        with pytest.raises(ProtocolError):
            client.health()


def test_connect_refused():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(TransportError):
        Client("127.0.0.1", port, timeout=1).health()


def test_idle_connection_closed_by_server_is_replaced(serve):
    def one_answer_then_close(sock):
        req = read_request(sock)
        sock.sendall(encode_frame(answer(req)))

    server = serve(one_answer_then_close)
    with server.client() as client:
        assert client.health().version == "test-1"
        time.sleep(0.1)  # the server has closed its side
        assert client.health().version == "test-1"
    assert server.connections == 2


def test_frame_too_large_answer_drops_the_connection(serve):
    def too_large(sock):
        req = read_request(sock)
        if req.WhichOneof("body") == "sign_out":
            sock.sendall(encode_frame(pb.Response(status=pb.RESOURCE_EXHAUSTED, error_type="FrameTooLarge")))
            return
        script_answer_from(sock, req)

    server = serve(too_large)
    with server.client() as client:
        with pytest.raises(AuthRPCError) as info:
            client.sign_out("x" * 100)
        assert info.value.id == 0 and info.value.error_type == "FrameTooLarge"
        assert client.health().version == "test-1"
    assert server.connections == 2


# --- errors typed by status -------------------------------------------------------


def test_error_subclasses_per_status(serve):
    server = serve(script_answer)
    with server.client() as client:
        with pytest.raises(Unauthenticated) as info:
            client.verify_token("bad")
        assert isinstance(info.value, AuthRPCError) and info.value.error_type == "TokenExpired"
        with pytest.raises(ResourceExhausted) as info:
            client.forgot_password("alice")
        assert info.value.retry_after_ms == 1500 and info.value.status == "RESOURCE_EXHAUSTED"
    for status, cls in [(pb.PERMISSION_DENIED, PermissionDenied), (pb.ALREADY_EXISTS, AlreadyExists),
                        (pb.UNAVAILABLE, Unavailable), (pb.DEADLINE_EXCEEDED, DeadlineExceeded)]:
        err = AuthRPCError(pb.Response(id=3, status=status, error_type="X", retry_after_ms=7))
        assert type(err) is cls and (err.error_type, err.retry_after_ms) == ("X", 7)
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is cls and again.response == err.response
    assert isinstance(AuthRPCError(pb.Response(status=pb.DEADLINE_EXCEEDED)), TimeoutError)
    assert type(AuthRPCError(pb.Response(status=99))) is AuthRPCError  # a newer server's status
    lost = ConnectionLost("gone", "h:1")
    assert (lost.status, lost.error_type, lost.retry_after_ms, lost.address) == (
        "UNAVAILABLE", "ConnectionLost", 0, "h:1")
    assert issubclass(TLSError, TransportError) and issubclass(ConnectFailed, TransportError)


# --- threads, multiplexing, deadlines ------------------------------------------------


def script_echo_shuffled(sock):
    """Echoes each VerifyToken's token as the message, answering every batch of
    up to 8 requests in reverse order (answers cross between callers unless the
    client matches ids)."""
    buf = bytearray()
    sock.settimeout(0.005)
    pending = []
    while True:
        try:
            data = sock.recv(65536)
            if not data:
                return
            buf += data
        except socket.timeout:
            pass
        while len(buf) >= 4:
            (n,) = struct.unpack(">I", buf[:4])
            if len(buf) < 4 + n:
                break
            pending.append(pb.Request.FromString(bytes(buf[4:4 + n])))
            del buf[:4 + n]
        if pending and (len(pending) >= 8 or not buf):
            out = b"".join(encode_frame(pb.Response(id=r.id, message=r.verify_token.token))
                           for r in reversed(pending))
            pending.clear()
            sock.sendall(out)


def test_threads_share_one_client(serve):
    server = serve(script_echo_shuffled)
    client = server.client()
    errors = []

    def work(t):
        try:
            for i in range(300):
                token = f"t{t}-{i}"
                resp = client.call(pb.Request(verify_token=pb.VerifyTokenRequest(token=token)))
                assert resp.message == token
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    assert errors == [] and server.connections == 1


def test_dropped_connection_fails_calls_in_flight_then_reconnects(serve):
    state = {"first": True}

    def drop_first_connection(sock):
        if state["first"]:
            state["first"] = False
            for _ in range(4):
                read_request(sock)
            time.sleep(0.1)
            return  # closes with four calls in flight
        script_answer(sock)

    server = serve(drop_first_connection)
    client = server.client(timeout=30)
    outcomes = []

    def work():
        try:
            client.health()
            outcomes.append("ok")
        except TransportError as exc:
            outcomes.append(type(exc))

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == [ConnectionLost] * 4 and time.monotonic() - started < 5
    assert client.health().version == "test-1"
    assert server.connections == 2
    client.close()


def test_per_call_deadline_and_late_answer_goes_nowhere(serve):
    seen = []

    def late_first(sock):
        first = read_request(sock)
        seen.append(first.deadline_ms)
        second = read_request(sock)
        time.sleep(0.1)
        sock.sendall(encode_frame(pb.Response(id=first.id, message="late")))
        sock.sendall(encode_frame(pb.Response(id=second.id, message="mine")))
        script_answer(sock)

    server = serve(late_first)
    with server.client(timeout=10) as client:
        started = time.monotonic()
        with pytest.raises(RequestTimeout):
            client.call(pb.Request(health=pb.HealthRequest()), timeout=0.05)
        assert time.monotonic() - started < 1
        assert seen == [50]  # the timeout is the request's deadline_ms too
        assert client.call(pb.Request(health=pb.HealthRequest())).message == "mine"
        assert client.health(timeout=1).version == "test-1"
    assert server.connections == 1


def test_server_deadline_exceeded(serve):
    def expired(sock):
        while (req := read_request(sock)) is not None:
            sock.sendall(encode_frame(pb.Response(id=req.id, status=pb.DEADLINE_EXCEEDED)))

    with serve(expired).client() as client:
        with pytest.raises(DeadlineExceeded) as info:
            client.authenticate("a", "b", timeout=0.5)
        assert isinstance(info.value, TimeoutError)


# --- addresses and backoff -------------------------------------------------------------


def test_two_addresses_one_down(serve):
    server = serve(script_answer)
    dead = f"127.0.0.1:{free_port()}"
    for order in ([dead, f"127.0.0.1:{server.port}"], [("127.0.0.1", server.port), dead]):
        with Client(order, timeout=2) as client:
            for _ in range(5):
                assert client.health().version == "test-1"
            assert client.connected_address == f"127.0.0.1:{server.port}"


def test_reconnect_moves_to_the_next_address(serve):
    def one_answer(sock):
        req = read_request(sock)
        sock.sendall(encode_frame(pb.Response(id=req.id, message=str(sock.getsockname()[1]))))

    a, b = serve(one_answer), serve(one_answer)
    client = Client(addresses=[f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"], timeout=2)
    ports = []
    for _ in range(4):
        for _ in range(50):  # until the reader has seen the close
            if client.connected_address is None:
                break
            time.sleep(0.01)
        ports.append(int(client.call(pb.Request(health=pb.HealthRequest())).message))
    assert sorted(set(ports)) == sorted({a.port, b.port}) and ports[0] != ports[1]
    client.close()


def test_backoff_after_a_failed_round():
    port = free_port()
    client = Client(addresses=[f"127.0.0.1:{port}", f"localhost:{port}"], timeout=5,
                    backoff_initial=1.0)
    started = time.monotonic()
    with pytest.raises(ConnectFailed) as info:
        client.health()
    assert "127.0.0.1" in str(info.value) and "localhost" in str(info.value)
    with pytest.raises(ConnectFailed) as info:
        client.health(timeout=0.1)  # the next round is at least 0.5 s away: fail at once
    assert "next attempt" in str(info.value)
    assert time.monotonic() - started < 0.5

    server = FakeServer(script_answer, port=port)
    try:
        assert client.health().version == "test-1"  # waits out the backoff, then connects
        assert time.monotonic() - started >= 0.5
    finally:
        client.close()
        server.close()


# --- asyncio client ---------------------------------------------------------------------


def test_aio_client(serve):
    server = serve(script_answer)
    shuffled = serve(script_echo_shuffled)

    async def main():
        async with aio.Client("127.0.0.1", server.port, timeout=5) as client:
            assert (await client.health()).version == "test-1"
            claims = (await client.verify_token("good", "access", ["openid"])).claims
            assert claims.sub == "user-1"
            with pytest.raises(Unauthenticated):
                await client.verify_token("bad")
            with pytest.raises(ResourceExhausted) as info:
                await client.forgot_password("alice")
            assert info.value.retry_after_ms == 1500
            answers = await client.pipeline(
                [pb.Request(verify_token=pb.VerifyTokenRequest(token=t, token_use=pb.TOKEN_USE_ACCESS,
                                                               required_scopes=["openid"]))
                 for t in ("good", "bad")])
            assert [a.status for a in answers] == [pb.OK, pb.UNAUTHENTICATED]
        async with aio.Client(f"127.0.0.1:{shuffled.port}", timeout=5) as client:
            async def one(i):
                resp = await client.call(pb.Request(verify_token=pb.VerifyTokenRequest(token=str(i))))
                return resp.message == str(i)
            assert all(await asyncio.gather(*(one(i) for i in range(2000))))

    asyncio.run(main())
    assert server.connections == 1 and shuffled.connections == 1


def test_aio_drop_deadline_and_addresses(serve):
    state = {"first": True}

    def drop_first(sock):
        if state["first"]:
            state["first"] = False
            read_request(sock)
            read_request(sock)
            return
        script_answer(sock)

    def stall(sock):
        while read_request(sock) is not None:
            pass

    dropper, staller = serve(drop_first), serve(stall)
    dead = f"127.0.0.1:{free_port()}"

    async def main():
        client = aio.Client([dead, f"127.0.0.1:{dropper.port}"], timeout=30)
        got = await asyncio.gather(client.health(), client.health(), return_exceptions=True)
        assert [type(g) for g in got] == [ConnectionLost, ConnectionLost]
        assert (await client.health()).version == "test-1"  # reconnected past the dead address
        await client.close()

        client = aio.Client("127.0.0.1", staller.port, timeout=10)
        started = time.monotonic()
        with pytest.raises(RequestTimeout):
            await client.health(timeout=0.1)
        assert time.monotonic() - started < 1
        await client.close()

    asyncio.run(main())


# --- TLS against a Python TLS server (the authrpc server's TLS is in test_interop) -------


def server_context(certs, require_client_cert=False):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(certs.server, certs.key("server"))
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(certs.ca)
    return ctx


def test_tls_round_trip_and_refusals(serve, certs):
    server = serve(script_answer, context=server_context(certs))
    with Client("127.0.0.1", server.port, tls_ca=certs.ca) as client:
        assert client.health().version == "test-1"
    with Client("localhost", server.port, tls=tls_context(certs.ca)) as client:
        assert client.verify_token("good", "access", ["openid"]).claims.sub == "user-1"

    async def aio_round_trip():
        async with aio.Client("127.0.0.1", server.port, tls_ca=certs.ca) as client:
            return (await client.health()).version
    assert asyncio.run(aio_round_trip()) == "test-1"

    with pytest.raises(TLSError, match="certificate verify failed"):
        Client("127.0.0.1", server.port, tls_ca=certs.other_ca).health()
    with pytest.raises(TLSError, match="(?i)hostname|mismatch|match"):
        Client("127.0.0.1", server.port, tls_ca=certs.ca, tls_server_name="wrong.example").health()
    with pytest.raises(TLSError):
        asyncio.run(aio.Client("127.0.0.1", server.port, tls_ca=certs.other_ca).health())
    with pytest.raises(ValueError):
        Client(tls=tls_context(certs.ca), tls_ca=certs.ca)


def test_plaintext_client_on_a_tls_port(serve):
    def tls_alert(sock):  # what a TLS server answers to a plaintext frame
        read_request(sock)
        sock.sendall(b"\x15\x03\x03\x00\x02\x02\x46")
        time.sleep(0.1)

    server = serve(tls_alert)
    with pytest.raises(TLSError, match="answered with TLS"):
        Client("127.0.0.1", server.port, timeout=2).health()
    with pytest.raises(TLSError, match="answered with TLS"):
        asyncio.run(aio.Client("127.0.0.1", server.port, timeout=2).health())


def test_mtls_client_certificate(serve, certs):
    server = serve(script_answer, context=server_context(certs, require_client_cert=True))
    with Client("127.0.0.1", server.port, tls_ca=certs.ca, tls_cert=certs.client,
                tls_key=certs.key("client")) as client:
        assert client.health().version == "test-1"
    # TLS 1.3: the client's handshake ends before the server checks its
    # certificate, so the refusal arrives as the first read.
    with pytest.raises(TLSError, match="(?i)certificate"):
        Client("127.0.0.1", server.port, tls_ca=certs.ca).health()
    with pytest.raises(TLSError, match="(?i)certificate|unknown ca"):
        Client("127.0.0.1", server.port, tls_ca=certs.ca, tls_cert=certs.stranger,
               tls_key=certs.key("stranger")).health()


def test_package_is_typed():
    from pathlib import Path
    assert (Path(authrpc_client.__file__).parent / "py.typed").exists()


def test_aio_mtls_refused_without_certificate(serve, certs):
    server = serve(script_answer, context=server_context(certs, require_client_cert=True))

    async def main():
        async with aio.Client("127.0.0.1", server.port, tls_ca=certs.ca, tls_cert=certs.client,
                              tls_key=certs.key("client")) as client:
            assert (await client.health()).version == "test-1"
        with pytest.raises(TLSError, match="(?i)certificate"):
            await aio.Client("127.0.0.1", server.port, tls_ca=certs.ca).health()

    asyncio.run(main())


def reset(sock):
    """Closes with a TCP reset (SO_LINGER 0), as a TLS 1.3 server refusing the
    client's certificate does when the first request is already in its buffer."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_after_first_request(sock):
    # Reading first makes the client's write succeed and its read meet the
    # reset, whatever the machine's load: a reset during connect or the
    # handshake is a ConnectFailed, which is not what these tests are about.
    read_request(sock)
    reset(sock)


def answer_once_then_reset(sock):
    req = read_request(sock)
    sock.sendall(encode_frame(answer(req)))
    reset_after_first_request(sock)


def test_aio_reset_right_after_tls_handshake_is_a_tls_error(serve, certs):
    # asyncio closes the transport on a write that meets the reset without
    # reading the alert queued before it, so the reset itself must say "TLS".
    server = serve(reset_after_first_request, context=server_context(certs))
    with pytest.raises(TLSError, match="(?i)client certificate"):
        asyncio.run(aio.Client("127.0.0.1", server.port, tls_ca=certs.ca).health())

    # A reset after an answer, or without TLS, is a lost connection as before.
    server = serve(answer_once_then_reset, context=server_context(certs))

    async def second_call_reset():
        async with aio.Client("127.0.0.1", server.port, tls_ca=certs.ca) as client:
            assert (await client.health()).version == "test-1"
            await client.health()
    with pytest.raises(ConnectionLost):
        asyncio.run(second_call_reset())
    plain = serve(reset_after_first_request)
    with pytest.raises(ConnectionLost):
        asyncio.run(aio.Client("127.0.0.1", plain.port).health())
