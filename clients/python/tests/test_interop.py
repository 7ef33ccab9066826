"""Interop: the Python client against a real `authrpc serve`.

Tests that use the `client` fixture need the shared server backed by moto and
are skipped unless AUTHRPC_INTEROP_PORT is set; clients/run-interop-tests starts
both servers and sets AUTHRPC_INTEROP_HOST/PORT, the COGNITO_* settings and
AUTHRPC_DEV_USERNAME/PASSWORD (the public demo user of the local emulator).
Tests that restart a server or need TLS start their own `authrpc serve` from
AUTHRPC_BIN on tokens and a file:// JWKS from `authrpc bench mint`.
Tests assert the behaviour SPEC §3, §5, §6, §8 and §10 require.
"""
import asyncio
import base64
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from authrpc_client import (AlreadyExists, AuthRPCError, Client, DeadlineExceeded,
                            FailedPrecondition, InvalidArgument, PermissionDenied, RequestTimeout,
                            TLSError, TransportError, Unauthenticated, aio, encode_frame, pb)
from conftest import authrpc_bin, bin_supports_tls, free_port

PORT = os.environ.get("AUTHRPC_INTEROP_PORT")

HOST = os.environ.get("AUTHRPC_INTEROP_HOST", "127.0.0.1")
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Interop-Passw0rd"


def env(name):
    return os.environ[name]


def issuer():
    return f"https://cognito-idp.{env('COGNITO_REGION')}.amazonaws.com/{env('COGNITO_USER_POOL_ID')}"


def admin(*args):
    """scripts/dev_cognito.py admin ...; returns its KEY=value lines as a dict."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts/dev_cognito.py"), "admin", "--endpoint", env("COGNITO_ENDPOINT"),
         "--pool-id", env("COGNITO_USER_POOL_ID"), *args],
        check=True, capture_output=True, text=True, timeout=60).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def new_username(tag):
    return f"interop-{tag}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def client():
    if not PORT:
        pytest.skip("AUTHRPC_INTEROP_PORT not set (see clients/run-interop-tests)")
    c = Client(HOST, int(PORT), timeout=15)
    # SPEC §6: Health is not ready until the JWKS cache has keys; wait for it.
    deadline = time.monotonic() + 30
    while True:
        try:
            c.health()
            break
        except AuthRPCError as err:
            if time.monotonic() > deadline:
                pytest.fail(f"server never became ready: {err}")
            time.sleep(0.2)
    yield c
    c.close()


@pytest.fixture(scope="module")
def demo_tokens(client):
    return client.authenticate(env("AUTHRPC_DEV_USERNAME"), env("AUTHRPC_DEV_PASSWORD")).tokens


def test_health_reports_the_pool(client):
    health = client.health()
    assert health.version
    assert [p.issuer for p in health.pools] == [issuer()]
    assert health.pools[0].keys >= 1 and health.pools[0].last_refresh_unix > 0
    assert not health.pools[0].last_error


def test_register_confirm_authenticate_verify_check_groups(client):
    username = new_username("py")
    email = f"{username}@example.com"
    reg = client.register(username, PASSWORD, email)
    assert reg.user_sub and not reg.user_confirmed
    assert reg.code_delivery.delivery_medium == "EMAIL"

    with pytest.raises(AuthRPCError) as info:
        client.authenticate(username, PASSWORD)
    assert (info.value.status, info.value.error_type) == ("FAILED_PRECONDITION", "UserNotConfirmedException")

    admin("confirm-user", username)
    admin("add-to-group", username, "staff")
    tokens = client.authenticate(username, PASSWORD).tokens
    assert tokens.id_token and tokens.access_token and tokens.refresh_token
    assert tokens.expires_in > 0 and tokens.token_type == "Bearer"

    claims = client.verify_token(tokens.access_token, "access").claims
    assert claims.sub == reg.user_sub and claims.username == username
    assert claims.token_use == pb.TOKEN_USE_ACCESS and claims.client_id == env("COGNITO_CLIENT_ID")
    assert claims.issuer == issuer() and list(claims.groups) == ["staff"]
    assert "aws.cognito.signin.user.admin" in claims.scopes
    assert claims.expires_at > claims.issued_at > 0

    id_claims = client.verify_token(tokens.id_token, "id").claims
    assert id_claims.token_use == pb.TOKEN_USE_ID and id_claims.email == email
    assert id_claims.sub == reg.user_sub and id_claims.username == username
    assert client.verify_token(tokens.id_token).claims.sub == reg.user_sub  # any use

    with pytest.raises(AuthRPCError) as info:
        client.verify_token(tokens.access_token, "id")
    assert (info.value.status, info.value.error_type) == ("UNAUTHENTICATED", "WrongTokenUse")
    with pytest.raises(AuthRPCError) as info:
        client.verify_token(tokens.access_token, "access", ["openid"])
    assert (info.value.status, info.value.error_type) == ("PERMISSION_DENIED", "MissingScope")

    got = client.check_groups(tokens.id_token, "id", allowed_groups=["admins", "staff"])
    assert list(got.matched_groups) == ["staff"] and got.claims.sub == reg.user_sub
    with pytest.raises(AuthRPCError) as info:
        client.check_groups(tokens.access_token, prohibited_groups=["staff"])
    assert (info.value.status, info.value.error_type) == ("PERMISSION_DENIED", "GroupCheckFailed")
    with pytest.raises(AuthRPCError) as info:
        client.check_groups(tokens.access_token, required_groups=["staff", "admins"])
    assert info.value.status == "PERMISSION_DENIED"
    with pytest.raises(AuthRPCError) as info:
        client.check_groups(tokens.access_token)
    assert info.value.status == "INVALID_ARGUMENT"

    refreshed = client.refresh_tokens(tokens.refresh_token, username).tokens
    assert refreshed.access_token
    assert client.verify_token(refreshed.access_token, "access").claims.sub == reg.user_sub

    assert isinstance(client.sign_out(tokens.access_token), pb.SignOutResponse)
    with pytest.raises(AuthRPCError) as info:
        client.refresh_tokens(tokens.refresh_token, username)
    assert info.value.status == "UNAUTHENTICATED"


def test_confirm_registration_rpc(client):
    username = new_username("py-confirm")
    client.register(username, PASSWORD, f"{username}@example.com")
    assert isinstance(client.confirm_registration(username, "123456"), pb.ConfirmRegistrationResponse)
    assert client.authenticate(username, PASSWORD).tokens.access_token


def test_sign_in_failures_do_not_enumerate_users(client):
    with pytest.raises(AuthRPCError) as wrong:
        client.authenticate(env("AUTHRPC_DEV_USERNAME"), "Wrong-Passw0rd")
    with pytest.raises(AuthRPCError) as unknown:
        client.authenticate(new_username("ghost"), "Wrong-Passw0rd")
    assert wrong.value.status == unknown.value.status == "UNAUTHENTICATED"
    assert wrong.value.message == unknown.value.message
    assert "Wrong-Passw0rd" not in wrong.value.message


def test_register_errors(client):
    with pytest.raises(AuthRPCError) as info:
        client.register(env("AUTHRPC_DEV_USERNAME"), PASSWORD, "demo@example.com")
    assert (info.value.status, info.value.error_type) == ("ALREADY_EXISTS", "UsernameExistsException")
    with pytest.raises(AuthRPCError) as info:
        client.register(new_username("py-bad"), "short", "not-an-email")
    assert info.value.status == "INVALID_ARGUMENT"
    assert "short" not in info.value.message  # never echoes the password


def test_forgot_and_confirm_forgot_password(client):
    username = new_username("py-forgot")
    client.register(username, PASSWORD, f"{username}@example.com")
    admin("confirm-user", username)
    sent = client.forgot_password(username)
    assert sent.code_delivery.delivery_medium == "EMAIL"
    client.confirm_forgot_password(username, "123456", "N3w-Interop-Passw0rd")
    assert client.authenticate(username, "N3w-Interop-Passw0rd").tokens.access_token


def test_new_password_challenge(client):
    username = new_username("py-chal")
    admin("create-user", username, "Temp-Passw0rd1", "--email", f"{username}@example.com")
    answer = client.authenticate(username, "Temp-Passw0rd1")
    assert answer.HasField("challenge") and not answer.HasField("tokens")
    challenge = answer.challenge
    assert challenge.name == "NEW_PASSWORD_REQUIRED" and challenge.session
    tokens = client.respond_to_challenge(
        username, challenge.name, challenge.session,
        {"USERNAME": challenge.parameters.get("USERNAME", username), "NEW_PASSWORD": PASSWORD}).tokens
    assert client.verify_token(tokens.access_token, "access").claims.username == username


def test_resend_confirmation_code(client):
    username = new_username("py-resend")
    client.register(username, PASSWORD, f"{username}@example.com")
    try:
        assert client.resend_confirmation_code(username).code_delivery.destination
    except AuthRPCError as err:
        # moto 5.2.1 lacks ResendConfirmationCode (HTTP 500): SPEC §5 maps that to UNAVAILABLE.
        assert err.status == "UNAVAILABLE"


def test_demo_user_is_admin(client, demo_tokens):
    got = client.check_groups(demo_tokens.access_token, "access", required_groups=["admins"])
    assert list(got.matched_groups) == ["admins"]
    assert got.claims.username == env("AUTHRPC_DEV_USERNAME")


def test_malformed_token(client):
    with pytest.raises(AuthRPCError) as info:
        client.verify_token("not-a-token")
    assert (info.value.status, info.value.error_type) == ("UNAUTHENTICATED", "MalformedToken")


def test_pipelined_verify(client, demo_tokens):
    request = pb.Request(verify_token=pb.VerifyTokenRequest(token=demo_tokens.access_token))
    started = time.monotonic()
    answers = client.pipeline([request] * 5000)
    elapsed = time.monotonic() - started
    assert all(a.status == pb.OK for a in answers), {pb.Status.Name(a.status) for a in answers}
    assert {a.verify_token.claims.username for a in answers} == {env("AUTHRPC_DEV_USERNAME")}
    print(f"5000 pipelined verify_token in {elapsed:.2f}s")


# --- framing, through a raw socket (SPEC §3) -----------------------------------


def raw_connect():
    sock = socket.create_connection((HOST, int(PORT)), timeout=10)
    return sock


def read_response(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    header = exactly(4)
    if header is None:
        return None
    return pb.Response.FromString(exactly(struct.unpack(">I", header)[0]))


def test_malformed_request_keeps_the_connection(client):
    with raw_connect() as sock:
        sock.sendall(b"\x00\x00\x00\x03\xff\xff\xff")
        resp = read_response(sock)
        assert (resp.id, resp.status, resp.error_type) == (0, pb.INVALID_ARGUMENT, "MalformedRequest")
        sock.sendall(encode_frame(pb.Request(id=7, health=pb.HealthRequest())))
        assert read_response(sock).id == 7


def test_missing_body(client):
    with raw_connect() as sock:
        sock.sendall(encode_frame(pb.Request(id=42)))
        resp = read_response(sock)
        assert (resp.id, resp.status, resp.error_type) == (42, pb.INVALID_ARGUMENT, "MissingBody")


def test_frame_too_large_closes(client):
    with raw_connect() as sock:
        sock.sendall(struct.pack(">I", 10_000_000))
        resp = read_response(sock)
        assert (resp.id, resp.status, resp.error_type) == (0, pb.RESOURCE_EXHAUSTED, "FrameTooLarge")
        assert read_response(sock) is None  # closed


# --- typed errors, threads, asyncio, addresses, deadlines (SPEC §10) ------------------


def test_errors_are_typed_by_status(client, demo_tokens):
    with pytest.raises(Unauthenticated) as info:
        client.verify_token("not-a-token")
    assert info.value.error_type == "MalformedToken"
    with pytest.raises(PermissionDenied) as info:
        client.verify_token(demo_tokens.access_token, "access", ["no-such-scope"])
    assert info.value.error_type == "MissingScope"
    with pytest.raises(AlreadyExists):
        client.register(env("AUTHRPC_DEV_USERNAME"), PASSWORD, "demo@example.com")
    with pytest.raises(InvalidArgument):
        client.register(new_username("py-typed"), "short", "not-an-email")
    username = new_username("py-typed")
    client.register(username, PASSWORD, f"{username}@example.com")
    with pytest.raises(FailedPrecondition) as info:
        client.authenticate(username, PASSWORD)
    assert info.value.error_type == "UserNotConfirmedException"


def test_server_answers_deadline_exceeded(client):
    # A Cognito round trip to moto takes longer than 1 ms (SPEC §3 deadline_ms).
    request = pb.Request(deadline_ms=1, authenticate=pb.AuthenticateRequest(
        username=env("AUTHRPC_DEV_USERNAME"), password=env("AUTHRPC_DEV_PASSWORD")))
    with pytest.raises(DeadlineExceeded) as info:
        client.call(request)
    assert isinstance(info.value, TimeoutError)
    assert client.health().version  # the connection is still good


def run_threads(n, target):
    errors = []

    def wrapped(t):
        try:
            target(t)
        except BaseException as exc:  # noqa: BLE001 -- reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_one_client_shared_by_8_threads_x_1000_calls(demo_tokens):
    """Each thread alternates id and access tokens: an answer that went to the
    wrong call would show the other token_use."""
    shared = Client(HOST, int(PORT), timeout=30)
    tokens = [(demo_tokens.id_token, pb.TOKEN_USE_ID), (demo_tokens.access_token, pb.TOKEN_USE_ACCESS)]

    def work(t):
        for i in range(1000):
            token, use = tokens[(t + i) % 2]
            claims = shared.verify_token(token).claims
            assert claims.token_use == use and claims.username == env("AUTHRPC_DEV_USERNAME")

    started = time.monotonic()
    errors = run_threads(8, work)
    elapsed = time.monotonic() - started
    shared.close()
    assert errors == []
    print(f"8 threads x 1000 verify_token on one client in {elapsed:.2f}s")


def test_asyncio_client_8_tasks_x_1000_calls(demo_tokens):
    async def main():
        async with aio.Client(HOST, int(PORT), timeout=30) as c:
            tokens = (await c.authenticate(env("AUTHRPC_DEV_USERNAME"), env("AUTHRPC_DEV_PASSWORD"))).tokens
            got = await c.check_groups(tokens.access_token, "access", required_groups=["admins"])
            assert list(got.matched_groups) == ["admins"]
            with pytest.raises(Unauthenticated):
                await c.verify_token("not-a-token")
            pairs = [(tokens.id_token, pb.TOKEN_USE_ID), (tokens.access_token, pb.TOKEN_USE_ACCESS)]

            async def work(t):
                for i in range(1000):
                    token, use = pairs[(t + i) % 2]
                    assert (await c.verify_token(token)).claims.token_use == use

            started = time.monotonic()
            await asyncio.gather(*(work(t) for t in range(8)))
            return time.monotonic() - started

    print(f"asyncio: 8 tasks x 1000 verify_token in {asyncio.run(main()):.2f}s")


def test_two_addresses_one_down(client):
    dead = f"127.0.0.1:{free_port()}"
    live = f"{HOST}:{PORT}"
    with Client([dead, live], timeout=10) as c:
        for _ in range(50):
            assert c.health().version
        assert c.connected_address == live

    async def main():
        async with aio.Client(addresses=[live, dead], timeout=10) as c:
            for _ in range(50):
                assert (await c.health()).version

    asyncio.run(main())


# --- a server restarted mid-run (its own `authrpc serve`) -----------------------------


def jti_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


def test_server_restarted_mid_run(authrpc_server, minted):
    """Killed (SIGKILL) and stopped (SIGTERM) while 4 threads and 4 asyncio tasks
    call it: calls in flight fail with TransportError, none hangs, every answer is
    its own call's (the claims' jti is the token's), and calls succeed again
    after each restart."""
    server = authrpc_server()
    tokens = minted["tokens"]
    jtis = [jti_of(t) for t in tokens]
    phase = [0]
    stop = threading.Event()
    lock = threading.Lock()
    ok_per_phase = {}
    transport_errors = []
    wrong = []

    def record(k, resp_jti):
        with lock:
            if resp_jti != jtis[k]:
                wrong.append((jtis[k], resp_jti))
            ok_per_phase[phase[0]] = ok_per_phase.get(phase[0], 0) + 1

    client = Client(server.address, timeout=5, backoff_initial=0.02, backoff_max=0.2)

    def sync_work(t):
        i = t
        while not stop.is_set():
            k = i % len(tokens)
            i += 7
            try:
                record(k, client.verify_token(tokens[k], "access").claims.jti)
            except TransportError as exc:
                transport_errors.append(exc)
                time.sleep(0.01)

    def aio_work(_):
        async def task(t, c):
            i = t
            while not stop.is_set():
                k = i % len(tokens)
                i += 11
                try:
                    record(k, (await c.verify_token(tokens[k], "access")).claims.jti)
                except TransportError as exc:
                    transport_errors.append(exc)
                    await asyncio.sleep(0.01)

        async def main():
            c = aio.Client(server.address, timeout=5, backoff_initial=0.02, backoff_max=0.2)
            await asyncio.gather(*(task(t, c) for t in range(4)))
            await c.close()

        asyncio.run(main())

    def conductor():
        time.sleep(0.6)
        for sig in (signal.SIGKILL, signal.SIGTERM):
            server.stop(sig)
            time.sleep(0.2)
            with lock:
                phase[0] += 1
            server.start()
            time.sleep(0.6)
        stop.set()

    unexpected = []

    def guarded(target, arg):
        try:
            target(arg)
        except BaseException as exc:  # noqa: BLE001 -- anything but TransportError fails the test
            unexpected.append(exc)
            stop.set()

    workers = [threading.Thread(target=guarded, args=(sync_work, t)) for t in range(4)]
    workers.append(threading.Thread(target=guarded, args=(aio_work, 0)))
    workers.append(threading.Thread(target=conductor))
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers), "a call hung"
    assert unexpected == [] and wrong == []
    assert all(ok_per_phase.get(p, 0) > 0 for p in (0, 1, 2)), ok_per_phase
    assert client.verify_token(tokens[0]).claims.jti == jtis[0]
    client.close()
    print(f"restart run {time.monotonic() - started:.1f}s: answers per phase {ok_per_phase}, "
          f"{len(transport_errors)} transport errors "
          f"({sorted({type(e).__name__ for e in transport_errors})})")


def wait_until_stopped(pid):
    """SIGSTOP takes effect thread by thread, after kill() returns: an event-loop thread
    still running could answer one more request. Wait until every thread is stopped."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        states = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                states.append(stat.read().rsplit(") ", 1)[1][0])
        if all(state in "tT" for state in states):
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} did not stop")


def test_deadline_with_a_stopped_server(authrpc_server, minted):
    """A server that accepts but never answers (SIGSTOP): the call's own timeout
    ends it, and a dropped connection afterwards fails nothing else."""
    server = authrpc_server()
    with Client(server.address, timeout=10) as c:
        assert c.verify_token(minted["tokens"][0]).claims.jti
        server.proc.send_signal(signal.SIGSTOP)
        try:
            wait_until_stopped(server.proc.pid)
            started = time.monotonic()
            with pytest.raises(RequestTimeout):
                c.verify_token(minted["tokens"][1], timeout=0.3)
            assert 0.25 < time.monotonic() - started < 2
        finally:
            server.proc.send_signal(signal.SIGCONT)
        assert c.verify_token(minted["tokens"][2]).claims.jti == jti_of(minted["tokens"][2])


# --- TLS against the real server (SPEC §8) -----------------------------------------------


def tls_binary():
    binary = os.environ.get("AUTHRPC_TLS_BIN") or authrpc_bin()
    if not bin_supports_tls(binary):
        pytest.skip(f"{binary} has no TLS settings (`authrpc serve --help` names none); "
                    "set AUTHRPC_TLS_BIN to a TLS-capable build")
    return binary


def wait_ready(make_client):
    deadline = time.monotonic() + 20
    while True:
        try:
            with make_client() as c:
                return c.health()
        except (AuthRPCError, TransportError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_tls_round_trip_and_refusals(authrpc_server, minted, certs):
    server = authrpc_server({"AUTHRPC_TLS_CERT": certs.server,
                             "AUTHRPC_TLS_KEY": certs.key("server")}, binary=tls_binary())
    wait_ready(lambda: Client(server.address, tls_ca=certs.ca))
    token = minted["tokens"][3]
    with Client(server.address, tls_ca=certs.ca, timeout=10) as c:
        assert c.verify_token(token).claims.jti == jti_of(token)
        answers = c.pipeline([pb.Request(verify_token=pb.VerifyTokenRequest(token=t))
                              for t in minted["tokens"]])
        assert [a.verify_token.claims.jti for a in answers] == [jti_of(t) for t in minted["tokens"]]
    with Client(f"localhost:{server.port}", tls_ca=certs.ca) as c:
        assert c.health().version

    async def aio_round_trip():
        async with aio.Client(server.address, tls_ca=certs.ca) as c:
            return (await c.verify_token(token)).claims.jti
    assert asyncio.run(aio_round_trip()) == jti_of(token)

    with pytest.raises(TLSError, match="certificate verify failed"):
        Client(server.address, tls_ca=certs.other_ca).health()
    with pytest.raises(TLSError, match="(?i)hostname|match"):
        Client(server.address, tls_ca=certs.ca, tls_server_name="wrong.example").health()
    with pytest.raises(TLSError, match="answered with TLS"):  # plaintext to the TLS port
        Client(server.address, timeout=5).health()
    with Client(server.address, tls_ca=certs.ca) as c:
        assert c.health().version  # the server keeps serving


def test_mtls_client_certificate_required(authrpc_server, minted, certs):
    server = authrpc_server({"AUTHRPC_TLS_CERT": certs.server, "AUTHRPC_TLS_KEY": certs.key("server"),
                             "AUTHRPC_TLS_CLIENT_CA": certs.ca}, binary=tls_binary())
    mtls = dict(tls_ca=certs.ca, tls_cert=certs.client, tls_key=certs.key("client"))
    wait_ready(lambda: Client(server.address, **mtls))
    with Client(server.address, timeout=10, **mtls) as c:
        assert c.verify_token(minted["tokens"][0]).claims.jti == jti_of(minted["tokens"][0])
    with pytest.raises(TLSError, match="(?i)certificate|alert|handshake"):
        Client(server.address, tls_ca=certs.ca, timeout=5).health()
    with pytest.raises(TLSError):
        Client(server.address, tls_ca=certs.ca, tls_cert=certs.stranger,
               tls_key=certs.key("stranger"), timeout=5).health()
