#!/usr/bin/env python3
"""Local Cognito user pool for authrpc, emulated by moto's server mode (SPEC §1, §5, §7).

    dev_cognito.py serve --env-file PATH [--host 127.0.0.1] [--port 0] [--quiet]
    dev_cognito.py provision --endpoint URL --env-file PATH
    dev_cognito.py admin --endpoint URL --pool-id ID <op> ...

`serve` runs moto in this process on a loopback address, provisions the dev pool,
writes the env file atomically and blocks until SIGTERM/SIGINT (then exits 0).
`provision` does the same provisioning, idempotently, against a running moto.
`admin` wraps the admin calls tests need and prints KEY=value lines.

The demo credential (demo / DemoPassw0rd) exists only in this local emulator.
See docs/DEV_COGNITO.md for the env file and for what moto does and does not emulate.
"""
from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import os
import signal
import socket
import sys
import tempfile
import threading

# moto needs no real credentials, and boto3 must never pick up real ones from the
# environment or ~/.aws: every client below is given these explicitly as well.
DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
os.environ["AWS_ACCESS_KEY_ID"] = DUMMY_ACCESS_KEY
os.environ["AWS_SECRET_ACCESS_KEY"] = DUMMY_SECRET_KEY
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

DEFAULT_REGION = "us-east-1"
POOL_NAME = "authrpc-dev"
CLIENT_NAME = "authrpc-dev-client"
GROUPS = ("admins", "staff")
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "DemoPassw0rd"  # documented demo credential, local emulator only
DEMO_EMAIL = "demo@example.com"
DEMO_GROUP = "admins"
CLIENT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
# moto copies into the id token only the attributes listed here (real Cognito's
# default is "all readable"), so the id token carries email like the real one.
CLIENT_READ_ATTRIBUTES = ["email", "email_verified"]
START_TIMEOUT_S = 15.0


class DevCognitoError(Exception):
    """A failure worth one line on stderr and exit status 1."""

    exit_status = 1


class UsageError(DevCognitoError):
    exit_status = 2


# ---------------------------------------------------------------------------
# boto3


def idp_client(endpoint: str, region: str):
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=DUMMY_ACCESS_KEY,
        aws_secret_access_key=DUMMY_SECRET_KEY,
        config=Config(retries={"max_attempts": 3, "mode": "standard"},
                      connect_timeout=5, read_timeout=30),
    )


def error_name(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "Unknown")


# ---------------------------------------------------------------------------
# provisioning


@dataclasses.dataclass
class Provisioned:
    region: str
    endpoint: str
    pool_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    actions: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)

    def note(self, verb: str, what: str, detail: str) -> None:
        self.actions.append((verb, what, detail))


def find_pool_id(idp, name: str) -> str | None:
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page.get("UserPools", []):
            if pool.get("Name") == name:
                return pool["Id"]
    return None


def ensure_pool(idp, out: Provisioned) -> None:
    pool_id = find_pool_id(idp, POOL_NAME)
    if pool_id:
        out.pool_id = pool_id
        out.note("reused", "user pool", f"{POOL_NAME} {pool_id}")
        return
    resp = idp.create_user_pool(
        PoolName=POOL_NAME,
        Policies={"PasswordPolicy": {
            "MinimumLength": 8,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": False,
        }},
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String",
                 "Required": True, "Mutable": True}],
    )
    out.pool_id = resp["UserPool"]["Id"]
    out.note("created", "user pool", f"{POOL_NAME} {out.pool_id}")


def create_app_client(idp, pool_id: str, name: str, secret: bool) -> dict:
    resp = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=name,
        GenerateSecret=secret,
        ExplicitAuthFlows=CLIENT_AUTH_FLOWS,
        ReadAttributes=CLIENT_READ_ATTRIBUTES,
    )
    return resp["UserPoolClient"]


def ensure_client(idp, out: Provisioned) -> None:
    for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=out.pool_id, MaxResults=60):
        for c in page.get("UserPoolClients", []):
            if c.get("ClientName") == CLIENT_NAME:
                full = idp.describe_user_pool_client(
                    UserPoolId=out.pool_id, ClientId=c["ClientId"])["UserPoolClient"]
                out.client_id = full["ClientId"]
                out.client_secret = full.get("ClientSecret", "")
                out.note("reused", "app client", f"{CLIENT_NAME} {out.client_id}")
                return
    client = create_app_client(idp, out.pool_id, CLIENT_NAME, secret=False)
    out.client_id = client["ClientId"]
    out.note("created", "app client", f"{CLIENT_NAME} {out.client_id}")


def ensure_groups(idp, out: Provisioned) -> None:
    for group in GROUPS:
        try:
            idp.get_group(UserPoolId=out.pool_id, GroupName=group)
            out.note("reused", "group", group)
        except ClientError as exc:
            if error_name(exc) != "ResourceNotFoundException":
                raise
            idp.create_group(UserPoolId=out.pool_id, GroupName=group)
            out.note("created", "group", group)


def ensure_demo_user(idp, out: Provisioned) -> None:
    """A confirmed user that can sign in with USER_PASSWORD_AUTH.

    AdminCreateUser leaves the user in FORCE_CHANGE_PASSWORD; AdminSetUserPassword
    with Permanent=True makes it CONFIRMED with the demo password. On reuse the
    password, attributes and group are re-asserted so the env file stays true even
    after a test changed them.
    """
    attributes = [{"Name": "email", "Value": DEMO_EMAIL},
                  {"Name": "email_verified", "Value": "true"}]
    try:
        idp.admin_get_user(UserPoolId=out.pool_id, Username=DEMO_USERNAME)
        idp.admin_update_user_attributes(
            UserPoolId=out.pool_id, Username=DEMO_USERNAME, UserAttributes=attributes)
        idp.admin_enable_user(UserPoolId=out.pool_id, Username=DEMO_USERNAME)
        verb = "reused"
    except ClientError as exc:
        if error_name(exc) != "UserNotFoundException":
            raise
        idp.admin_create_user(
            UserPoolId=out.pool_id, Username=DEMO_USERNAME,
            UserAttributes=attributes, MessageAction="SUPPRESS")
        verb = "created"
    idp.admin_set_user_password(
        UserPoolId=out.pool_id, Username=DEMO_USERNAME,
        Password=DEMO_PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(
        UserPoolId=out.pool_id, Username=DEMO_USERNAME, GroupName=DEMO_GROUP)
    out.note(verb, "demo user", f"{DEMO_USERNAME} <{DEMO_EMAIL}> in {DEMO_GROUP}")


def warn_region(region: str) -> None:
    if region != DEFAULT_REGION:
        print(f"dev_cognito: warning: moto routes unsigned requests to {DEFAULT_REGION}; with "
              f"region {region} unsigned GlobalSignOut and admin calls fail "
              "(see docs/DEV_COGNITO.md)", file=sys.stderr)


def provision(endpoint: str, region: str) -> Provisioned:
    idp = idp_client(endpoint, region)
    out = Provisioned(region=region, endpoint=endpoint)
    try:
        ensure_pool(idp, out)
        ensure_client(idp, out)
        ensure_groups(idp, out)
        ensure_demo_user(idp, out)
    except ClientError as exc:
        raise DevCognitoError(f"provisioning failed: {error_name(exc)}: "
                              f"{exc.response.get('Error', {}).get('Message', '')}") from exc
    except BotoCoreError as exc:
        raise DevCognitoError(f"provisioning failed: {exc}") from exc
    return out


# ---------------------------------------------------------------------------
# env file


def env_values(p: Provisioned) -> dict[str, str]:
    values = {
        "COGNITO_REGION": p.region,
        "COGNITO_USER_POOL_ID": p.pool_id,
        "COGNITO_CLIENT_ID": p.client_id,
        "COGNITO_ENDPOINT": p.endpoint,
    }
    if p.client_secret:  # only if someone gave the reused client a secret
        values["COGNITO_CLIENT_SECRET"] = p.client_secret
    values["AUTHRPC_DEV_USERNAME"] = DEMO_USERNAME
    values["AUTHRPC_DEV_PASSWORD"] = DEMO_PASSWORD
    return values


def write_env_file(path: str, values: dict[str, str]) -> None:
    """Write KEY=value lines to a temp file in the same folder, then rename it into
    place, so a reader polling for `path` never sees a partial file."""
    for key, value in values.items():
        if any(c in value for c in "\n\r \t'\"$`\\#"):
            raise DevCognitoError(f"refusing to write {key}: value needs quoting")
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cognito-env.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(f"{k}={v}\n" for k, v in values.items()))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_env_file(path: str, values: dict[str, str]) -> None:
    """Remove the env file on shutdown, but only if it is still the one we wrote."""
    expected = "".join(f"{k}={v}\n" for k, v in values.items())
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() != expected:
                return
        os.unlink(path)
    except OSError:
        pass


# ---------------------------------------------------------------------------
# serve


def loopback_host(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--host {host!r} is not an IP address; use 127.0.0.1 or ::1")
    if not addr.is_loopback:
        raise UsageError(f"--host {host} is not a loopback address; "
                         "the dev emulator listens on loopback only")
    return str(addr)


def check_port_free(host: str, port: int) -> None:
    """A clear error for a busy port (moto's server thread would otherwise die
    silently and ThreadedMotoServer.start() would wait forever)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise DevCognitoError(f"cannot listen on {host}:{port}: {exc.strerror}")


class OneLineErrors(logging.Filter):
    """Shortens werkzeug's "Error on request:" record, a whole traceback (moto
    raises NotImplementedError for operations it lacks), to its last line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Error on request:"):
            last = message.rstrip().splitlines()[-1]
            record.msg, record.args = f"dev-cognito: moto answered HTTP 500: {last}", ()
        return True


def start_moto(host: str, port: int, quiet: bool, log_requests: bool):
    from moto.server import ThreadedMotoServer

    if quiet:
        # Nothing on stdout/stderr once running, not even Flask's traceback for an
        # operation moto lacks: a parent that never drains our pipes must not stall us.
        logging.disable(logging.CRITICAL)
    else:
        werkzeug_log = logging.getLogger("werkzeug")
        werkzeug_log.addFilter(OneLineErrors())
        if not log_requests:
            werkzeug_log.setLevel(logging.ERROR)
    check_port_free(host, port)
    # Port 0 goes straight to bind(), so the kernel picks a free port atomically
    # (no window between probing a port and binding it); we read it back below.
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(START_TIMEOUT_S)
    if starter.is_alive():
        raise DevCognitoError(f"moto did not start on {host}:{port} "
                              f"within {START_TIMEOUT_S:.0f}s")
    return server, server.get_host_and_port()[1]


def endpoint_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def print_summary(p: Provisioned, env_file: str, stream=sys.stdout) -> None:
    for verb, what, detail in p.actions:
        print(f"  {verb:<7} {what:<10} {detail}", file=stream)
    print(f"  demo login: {DEMO_USERNAME} / {DEMO_PASSWORD} (local emulator only)", file=stream)
    print(f"  env file: {env_file}", file=stream)
    stream.flush()


def install_stop_handlers() -> threading.Event:
    stop = threading.Event()

    def on_signal(signum, frame):  # noqa: ARG001
        stop.set()

    stop_signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    for sig in stop_signals:
        signal.signal(sig, on_signal)
    # A parent that spawned us from a thread with these signals blocked (Swift's
    # concurrency and NIO threads do) hands that mask down; without this, SIGTERM
    # would never arrive and the parent would wait forever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    return stop


def watch_parent(stop: threading.Event) -> None:
    parent = os.getppid()

    def run():
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=run, daemon=True, name="parent-watch").start()


def cmd_serve(args) -> int:
    stop = install_stop_handlers()
    host = loopback_host(args.host)
    if not args.quiet:
        warn_region(args.region)
    if args.exit_with_parent:
        watch_parent(stop)
    # A stale file from an earlier run must not be mistaken for this run's.
    try:
        os.unlink(args.env_file)
    except FileNotFoundError:
        pass

    server, port = start_moto(host, args.port, args.quiet, args.log_requests)
    values: dict[str, str] = {}
    try:
        endpoint = endpoint_url(host, port)
        if not args.quiet:
            print(f"dev-cognito: moto on {endpoint} (region {args.region})", flush=True)
        if not stop.is_set():
            result = provision(endpoint, args.region)
            values = env_values(result)
            write_env_file(args.env_file, values)
            if not args.quiet:
                print_summary(result, args.env_file)
                print("dev-cognito: ready; stop with Ctrl-C or SIGTERM", flush=True)
        while not stop.wait(3600):
            pass
    finally:
        if values:
            remove_env_file(args.env_file, values)
        server.stop()
    if not args.quiet:
        print("dev-cognito: stopped", flush=True)
    return 0


# ---------------------------------------------------------------------------
# provision


def cmd_provision(args) -> int:
    warn_region(args.region)
    result = provision(args.endpoint, args.region)
    write_env_file(args.env_file, env_values(result))
    for verb, what, detail in result.actions:
        print(f"{verb} {what}: {detail}")
    print(f"wrote {args.env_file}")
    return 0


# ---------------------------------------------------------------------------
# admin


def emit(**pairs: str) -> None:
    for key, value in pairs.items():
        print(f"{key}={value}")
    sys.stdout.flush()


def admin_confirm_user(idp, args) -> None:
    idp.admin_confirm_sign_up(UserPoolId=args.pool_id, Username=args.username)
    emit(USERNAME=args.username, USER_STATUS="CONFIRMED")


def admin_create_user(idp, args) -> None:
    attributes = []
    if args.email:
        attributes = [{"Name": "email", "Value": args.email},
                      {"Name": "email_verified", "Value": "true"}]
    user = idp.admin_create_user(
        UserPoolId=args.pool_id, Username=args.username,
        TemporaryPassword=args.temp_password, UserAttributes=attributes,
        MessageAction="SUPPRESS")["User"]
    sub = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub"), "")
    emit(USERNAME=user["Username"], USER_SUB=sub, USER_STATUS=user["UserStatus"])


def admin_add_to_group(idp, args) -> None:
    idp.admin_add_user_to_group(
        UserPoolId=args.pool_id, Username=args.username, GroupName=args.group)
    emit(USERNAME=args.username, GROUP=args.group)


def admin_create_client(idp, args) -> None:
    client = create_app_client(idp, args.pool_id, args.name, secret=args.secret)
    emit(CLIENT_ID=client["ClientId"], CLIENT_SECRET=client.get("ClientSecret", ""))


def admin_delete_user(idp, args) -> None:
    idp.admin_delete_user(UserPoolId=args.pool_id, Username=args.username)
    emit(USERNAME=args.username, DELETED="true")


def cmd_admin(args) -> int:
    idp = idp_client(args.endpoint, args.region)
    try:
        args.op_func(idp, args)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        emit(ERROR_TYPE=error_name(exc))
        print(f"dev_cognito admin {args.op}: {error_name(exc)}: {err.get('Message', '')}",
              file=sys.stderr)
        return 1
    except BotoCoreError as exc:
        raise DevCognitoError(f"admin {args.op}: {exc}") from exc
    return 0


# ---------------------------------------------------------------------------
# CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dev_cognito.py",
        description="Local Cognito user pool for authrpc, emulated by moto.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", default=DEFAULT_REGION,
                        help=f"region of the emulated pool (default {DEFAULT_REGION})")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run moto on loopback, provision, write the env file, "
                                         "block until SIGTERM/SIGINT")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    serve.add_argument("--env-file", required=True, help="where to write KEY=value settings")
    serve.add_argument("--quiet", action="store_true", help="print nothing unless it fails")
    serve.add_argument("--log-requests", action="store_true",
                       help="log every HTTP request moto serves to stderr")
    serve.add_argument("--exit-with-parent", action="store_true",
                       help="also stop when the parent process goes away")
    serve.set_defaults(func=cmd_serve)

    prov = sub.add_parser("provision", parents=[common], help="idempotently provision a running moto")
    prov.add_argument("--endpoint", required=True, help="moto URL, e.g. http://127.0.0.1:9229/")
    prov.add_argument("--env-file", required=True, help="where to write KEY=value settings")
    prov.set_defaults(func=cmd_provision)

    admin = sub.add_parser("admin", parents=[common], help="admin calls for tests; prints KEY=value lines")
    admin.add_argument("--endpoint", required=True, help="moto URL")
    admin.add_argument("--pool-id", required=True, help="user pool id")
    ops = admin.add_subparsers(dest="op", required=True)

    op = ops.add_parser("confirm-user", help="AdminConfirmSignUp")
    op.add_argument("username")
    op.set_defaults(op_func=admin_confirm_user)

    op = ops.add_parser("create-user",
                        help="AdminCreateUser, MessageAction=SUPPRESS (user must set a new password)")
    op.add_argument("username")
    op.add_argument("temp_password", metavar="TEMP_PASSWORD")
    op.add_argument("--email", help="email, stored with email_verified=true")
    op.set_defaults(op_func=admin_create_user)

    op = ops.add_parser("add-to-group", help="AdminAddUserToGroup")
    op.add_argument("username")
    op.add_argument("group")
    op.set_defaults(op_func=admin_add_to_group)

    op = ops.add_parser("create-client",
                        help="CreateUserPoolClient with USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH")
    op.add_argument("name")
    op.add_argument("--secret", action="store_true", help="generate a client secret")
    op.set_defaults(op_func=admin_create_client)

    op = ops.add_parser("delete-user", help="AdminDeleteUser")
    op.add_argument("username")
    op.set_defaults(op_func=admin_delete_user)

    admin.set_defaults(func=cmd_admin)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DevCognitoError as exc:
        print(f"dev_cognito: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
