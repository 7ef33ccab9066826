"""Shared test helpers: certificates made with the openssl CLI, free ports, and
`authrpc serve` processes started by a test (restart and TLS cases)."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _make_ca(folder, name):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=folder)


def _make_leaf(folder, ca, name, cn, san, usage):
    ext = Path(folder, f"{name}.ext")
    ext.write_text(f"subjectAltName={san}\nextendedKeyUsage={usage}\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=folder)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-set_serial", str(abs(hash(name)) % 10**12), "-out", f"{name}.pem", "-days", "2",
             "-extfile", ext.name, cwd=folder)


class Certs:
    """ca.pem signs server.pem (localhost, 127.0.0.1) and client.pem (SPIFFE
    gateway); other-ca.pem signs nothing this server trusts."""

    def __init__(self, folder: Path):
        self.folder = folder
        for name in ("ca", "other-ca", "server", "client", "stranger"):
            setattr(self, name.replace("-", "_"), str(folder / f"{name}.pem"))

    def key(self, name):
        return str(self.folder / f"{name}.key")


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is not installed")
    folder = tmp_path_factory.mktemp("certs")
    _make_ca(folder, "ca")
    _make_ca(folder, "other-ca")
    _make_leaf(folder, "ca", "server", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth")
    _make_leaf(folder, "ca", "client", "gateway", "URI:spiffe://test.local/gateway", "clientAuth")
    _make_leaf(folder, "other-ca", "stranger", "stranger", "URI:spiffe://other/stranger", "clientAuth")
    return Certs(folder)


# --- authrpc serve processes -------------------------------------------------------


def authrpc_bin():
    path = os.environ.get("AUTHRPC_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("AUTHRPC_BIN (an authrpc binary) is not set; clients/run-interop-tests sets it")
    return path


def bin_supports_tls(path) -> bool:
    out = subprocess.run([path, "serve", "--help"], capture_output=True, text=True, timeout=30)
    return "tls" in (out.stdout + out.stderr).lower()


@pytest.fixture(scope="session")
def minted(tmp_path_factory):
    """`authrpc bench mint`: tokens signed by a file:// JWKS and server.env to
    serve them (VerifyToken and Health need no Cognito)."""
    binary = authrpc_bin()
    folder = tmp_path_factory.mktemp("mint")
    subprocess.run([binary, "bench", "mint", "--out", str(folder), "--count", "200"], check=True,
                   capture_output=True, timeout=120)
    env = dict(line.split("=", 1) for line in (folder / "server.env").read_text().splitlines()
               if "=" in line)
    tokens = (folder / "valid.txt").read_text().split()
    return {"env": env, "tokens": tokens}


class ServerProcess:
    """One `authrpc serve` on a fixed port, restartable."""

    def __init__(self, binary, env, port, log):
        self.binary = binary
        self.env = env
        self.port = port
        self.log = log
        self.proc = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self, wait=True):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AUTHRPC_"))}
        env.update(self.env)
        env.update({"AUTHRPC_LISTEN": self.address, "AUTHRPC_ADMIN_LISTEN": "",
                    "AUTHRPC_THREADS": "1", "AUTHRPC_LOG_LEVEL": "warning"})
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "serve"], env=env, stdout=log, stderr=log)
        if wait:
            self.wait_listening()
        return self

    def wait_listening(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"authrpc serve exited {self.proc.returncode}: "
                                   f"{Path(self.log).read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("authrpc serve did not listen in time")

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def authrpc_server(tmp_path, minted):
    """Factory: authrpc_server(extra_env=None, binary=None) -> a started ServerProcess."""
    servers = []

    def start(extra_env=None, binary=None):
        env = dict(minted["env"])
        env.update(extra_env or {})
        server = ServerProcess(binary or authrpc_bin(), env, free_port(),
                               tmp_path / f"authrpc-{len(servers)}.log")
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
