"""Client behaviour against scripted fake servers on 127.0.0.1:<free port>."""
import socket
import struct
import threading
import time

import pytest

from authrpc_client import (AuthRPCError, Client, FrameTooLarge, ProtocolError, RequestTimeout,
                            TransportError, check, encode_frame, pb)


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
    """Accepts connections; each is served by `script(sock)` in its own thread."""

    def __init__(self, script):
        self.script = script
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
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

    def start(script):
        server = FakeServer(script)
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
