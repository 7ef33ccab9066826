"""SPEC §9 logs, against an `authrpc serve` of this module's own backed by the runner's
moto: JSON lines at trace level with every access line (AUTHRPC_ACCESS_LOG=all), the
fields of the access and audit lines, the Python client's traceparent in them, and a
scan of the whole log after every RPC — Cognito errors that echo their input included
(registering an existing username) — for passwords, codes, tokens, sessions, the client
secret and usernames. Run by clients/run-interop-tests (needs AUTHRPC_BIN, COGNITO_*)."""
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from authrpc_client import AuthRPCError, Client, traceparent
from conftest import authrpc_bin, free_port

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Logscan-Passw0rd"
NEW_PASSWORD = "Logscan-N3w-Passw0rd"
TEMP_PASSWORD = "Logscan-Temp-Passw0rd1"
CODE = "731946"  # moto accepts any confirmation code


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} not set (see clients/run-interop-tests)")
    return value


def admin(*args):
    subprocess.run([sys.executable, str(ROOT / "scripts/dev_cognito.py"), "admin", "--endpoint",
                    env("COGNITO_ENDPOINT"), "--pool-id", env("COGNITO_USER_POOL_ID"), *args],
                   check=True, capture_output=True, text=True, timeout=60)


def trace_id():
    return uuid.uuid4().hex


def tp(tid):
    return f"00-{tid}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env("COGNITO_ENDPOINT")
    binary = authrpc_bin()
    log = tmp_path_factory.mktemp("logs") / "authrpc.log"
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHRPC_")}
    child_env.update({
        "AUTHRPC_LISTEN": f"127.0.0.1:{port}", "AUTHRPC_ADMIN_LISTEN": "", "AUTHRPC_THREADS": "1",
        "AUTHRPC_LOG_LEVEL": "trace", "AUTHRPC_LOG_FORMAT": "json", "AUTHRPC_ACCESS_LOG": "all",
        "AUTHRPC_SIGNIN_RATE": "600/m",
    })
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "serve"], env=child_env, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"authrpc serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
    yield {"port": port, "log": log, "proc": proc}
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def wait_ready(client):
    deadline = time.monotonic() + 30
    while True:
        try:
            client.health()
            return
        except AuthRPCError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def expect_error(fn, *args, **kwargs):
    with pytest.raises(AuthRPCError) as info:
        fn(*args, **kwargs)
    return info.value


def test_every_rpc_logged_as_json_with_fields_trace_ids_and_no_secret(server):
    secrets = {PASSWORD, NEW_PASSWORD, TEMP_PASSWORD, env("AUTHRPC_DEV_PASSWORD")}
    if os.environ.get("COGNITO_CLIENT_SECRET"):
        secrets.add(os.environ["COGNITO_CLIENT_SECRET"])
    codes = {CODE}
    usernames = set()
    tokens = set()
    traces = {}  # trace id -> the RPC name sent with it

    def user(tag):
        name = f"logscan-{tag}-{uuid.uuid4().hex[:10]}"
        usernames.add(name)
        return name

    def traced(name, fn, *args, **kwargs):
        tid = trace_id()
        traces[tid] = name
        with traceparent(tp(tid)):
            return fn(*args, **kwargs)

    default_tid = trace_id()
    with Client("127.0.0.1", server["port"], timeout=20, traceparent=tp(default_tid)) as c:
        wait_ready(c)
        traces[default_tid] = "Health"  # every call without its own trace context carries this one

        alice = user("alice")
        traced("Register", c.register, alice, PASSWORD, f"{alice}@example.com", {"name": "Logscan Person"})
        # Cognito (moto) echoes the username in its UsernameExistsException.
        err = traced("Register", expect_error, c.register, alice, PASSWORD, f"{alice}@example.com")
        assert (err.status, err.error_type) == ("ALREADY_EXISTS", "UsernameExistsException")
        assert alice not in err.message
        traced("Authenticate", expect_error, c.authenticate, alice, PASSWORD)  # not confirmed
        traced("ConfirmRegistration", c.confirm_registration, alice, CODE)
        err = traced("ConfirmRegistration", expect_error, c.confirm_registration, user("ghost"), CODE)
        assert err.status == "NOT_FOUND"
        try:
            traced("ResendConfirmationCode", c.resend_confirmation_code, alice)
        except AuthRPCError:
            pass  # moto lacks it (UNAVAILABLE); the call is what is logged
        signed = traced("Authenticate", c.authenticate, alice, PASSWORD).tokens
        tokens.update({signed.access_token, signed.id_token, signed.refresh_token})
        traced("Authenticate", expect_error, c.authenticate, alice, "Wrong-Passw0rd-9")
        secrets.add("Wrong-Passw0rd-9")
        traced("VerifyToken", c.verify_token, signed.access_token, "access")
        traced("VerifyToken", expect_error, c.verify_token, signed.access_token, "id")
        bad = signed.access_token[:-6] + ("AAAAAA" if not signed.access_token.endswith("AAAAAA") else "BBBBBB")
        tokens.add(bad)
        traced("VerifyToken", expect_error, c.verify_token, bad)
        traced("CheckGroups", expect_error, c.check_groups, signed.id_token, "id", required_groups=["admins"])
        refreshed = traced("RefreshTokens", c.refresh_tokens, signed.refresh_token, alice).tokens
        tokens.add(refreshed.access_token)
        tokens.add(refreshed.id_token)
        traced("SignOut", c.sign_out, signed.access_token)
        traced("RefreshTokens", expect_error, c.refresh_tokens, signed.refresh_token, alice)

        traced("ForgotPassword", c.forgot_password, alice)
        try:  # moto answers OK or UserNotFoundException depending on the pool's settings
            traced("ForgotPassword", c.forgot_password, user("nobody"))
        except AuthRPCError:
            pass
        traced("ConfirmForgotPassword", c.confirm_forgot_password, alice, CODE, NEW_PASSWORD)

        bob = user("bob")
        admin("create-user", bob, TEMP_PASSWORD, "--email", f"{bob}@example.com")
        challenge = traced("Authenticate", c.authenticate, bob, TEMP_PASSWORD).challenge
        secrets.add(challenge.session)
        answered = traced("RespondToChallenge", c.respond_to_challenge, bob, challenge.name, challenge.session,
                          {"USERNAME": bob, "NEW_PASSWORD": PASSWORD}).tokens
        tokens.update({answered.access_token, answered.id_token, answered.refresh_token})
        c.health()  # the client's default traceparent

    # Stop the server so every line is written, then read the whole log.
    proc = server["proc"]
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    text = server["log"].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) > 20
    records = []
    for line in lines:
        record = json.loads(line)  # every line is one JSON object
        assert isinstance(record, dict), line
        assert {"ts", "level", "label", "msg"} <= record.keys(), line
        records.append(record)

    access = [r for r in records if r["label"] == "authrpc.access"]
    audit = [r for r in records if r["label"] == "authrpc.audit"]
    for r in access + audit:
        for field in ("method", "status", "duration_us", "request_id", "peer"):
            assert field in r, (field, r)
        assert r["peer"].startswith("127.0.0.1:"), r
        assert (r["status"] == "OK") == ("error_type" not in r), r

    # Every trace id sent is in an access line of the RPC it went with, and in an audit
    # line when that RPC is an account operation.
    for tid, method in traces.items():
        lines_with = [r for r in access if r.get("trace_id") == tid]
        assert any(r["method"] == method for r in lines_with), (tid, method, lines_with)
        if method not in ("Health", "VerifyToken", "CheckGroups"):
            assert any(r.get("trace_id") == tid and r["event"] == "account_operation" for r in audit), (tid, method)
    audited = {r["method"] for r in audit}
    assert audited >= {"Register", "ConfirmRegistration", "ResendConfirmationCode", "Authenticate",
                       "RespondToChallenge", "RefreshTokens", "SignOut", "ForgotPassword",
                       "ConfirmForgotPassword"}, audited
    assert not audited & {"Health", "VerifyToken", "CheckGroups"}

    # A token is named by its SHA-256, never shown.
    fingerprint = hashlib.sha256(bad.encode()).hexdigest()[:12]
    assert any(r["method"] == "VerifyToken" and r.get("token_sha256") == fingerprint for r in access)

    # No secret, token or username anywhere; a code nowhere but by chance in a number.
    lowered = text.lower()
    for secret in secrets | tokens:
        assert secret not in text, f"a secret or token ({secret[:4]}…) is in the log"
    for name in usernames:
        assert name.lower() not in lowered, f"the username {name} is in the log"
    for record in records:
        for key, value in record.items():
            if key in ("ts", "duration_us", "request_id"):
                continue
            for code in codes:
                assert code not in json.dumps(value), (key, record)
