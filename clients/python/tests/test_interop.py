"""Interop: the Python client against a real `authrpc serve` backed by moto.

Skipped unless AUTHRPC_INTEROP_PORT is set; clients/run-interop-tests starts
both servers and sets AUTHRPC_INTEROP_HOST/PORT, the COGNITO_* settings and
AUTHRPC_DEV_USERNAME/PASSWORD (the public demo user of the local emulator).
Tests assert the behaviour SPEC §3, §5 and §6 require.
"""
import os
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from authrpc_client import AuthRPCError, Client, encode_frame, pb

PORT = os.environ.get("AUTHRPC_INTEROP_PORT")
pytestmark = pytest.mark.skipif(not PORT, reason="AUTHRPC_INTEROP_PORT not set (see clients/run-interop-tests)")

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
