"""scripts/dev_cognito.py as `scripts/run-dev` and the tests use it, against the moto
facts docs/DEV_COGNITO.md states (run again after changing the pinned moto version).

    python3 -m pytest -q scripts/tests      # part of scripts/test
"""
import os
import signal
import socket
import sys
import tempfile
import urllib.parse

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dev_cognito_checks as checks  # noqa: E402


def no_new_failures(before: int) -> None:
    assert checks.failures[before:] == [], "failed checks (see the ok/FAIL lines above)"


@pytest.fixture(scope="module")
def server():
    """One provisioned local Cognito for the module, stopped with SIGTERM at the end."""
    with tempfile.TemporaryDirectory() as tmp:
        env_file = os.path.join(tmp, "sub", "cognito.env")
        proc, env = checks.start_server(env_file)
        port = urllib.parse.urlparse(env["COGNITO_ENDPOINT"]).port
        yield {"proc": proc, "env": env, "env_file": env_file, "port": port, "tmp": tmp}
        before = len(checks.failures)
        checks.stop_server(proc, signal.SIGTERM, env_file, port, "SIGTERM")
        no_new_failures(before)


def test_env_file(server):
    before = len(checks.failures)
    checks.check_env_file(server["env_file"], server["env"])
    no_new_failures(before)


def test_tokens_have_cognitos_shape(server):
    before = len(checks.failures)
    checks.check_tokens(server["env"])
    no_new_failures(before)


def test_provisioning_is_idempotent_and_admin_operations_work(server):
    before = len(checks.failures)
    checks.check_provision_and_admin(server["env"], server["tmp"])
    no_new_failures(before)


def test_unsigned_json_api(server):
    before = len(checks.failures)
    checks.check_unsigned_api(server["env"])
    no_new_failures(before)


def test_sigint_stops_cleanly():
    before = len(checks.failures)
    with tempfile.TemporaryDirectory() as tmp:
        env_file = os.path.join(tmp, "cognito.env")
        proc, env = checks.start_server(env_file)
        checks.stop_server(proc, signal.SIGINT, env_file, urllib.parse.urlparse(env["COGNITO_ENDPOINT"]).port, "SIGINT")
    no_new_failures(before)


def test_refuses_a_non_loopback_host_and_a_busy_port():
    with tempfile.TemporaryDirectory() as tmp:
        env_file = os.path.join(tmp, "cognito.env")
        r = checks.run_tool("serve", "--host", "0.0.0.0", "--env-file", env_file)
        assert r.returncode == 2 and "loopback" in r.stderr, r.stderr
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            r = checks.run_tool("serve", "--port", str(busy.getsockname()[1]), "--env-file", env_file)
        assert r.returncode == 1 and "cannot listen" in r.stderr, r.stderr
