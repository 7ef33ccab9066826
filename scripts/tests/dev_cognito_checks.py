#!/usr/bin/env python3
"""The checks of scripts/dev_cognito.py and of the moto facts that docs/DEV_COGNITO.md
states, run by test_dev_cognito.py (pytest; part of scripts/test). Each check prints
one line and records a failure in `failures`; the tests assert none was recorded.

Starts `dev_cognito.py serve --port 0 --quiet`, waits for its env file, signs in the
demo user with boto3, provisions twice more (everything reused), runs the admin ops,
probes the unsigned Cognito JSON API over plain HTTP, then stops the server with
SIGTERM (and a second one with SIGINT) and checks exit status 0 and a freed port.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "dev_cognito.py")
TARGET = "AWSCognitoIdentityProviderService."
failures: list[str] = []


def check(ok: bool, what: str, detail: object = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f"  [{detail}]" if not ok and detail != "" else ""))
    if not ok:
        failures.append(what)


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, timeout=60)


def kv(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ---------------------------------------------------------------------------


def start_server(env_file: str, *extra: str) -> tuple[subprocess.Popen, dict[str, str]]:
    proc = subprocess.Popen([sys.executable, TOOL, "serve", "--port", "0", "--quiet",
                             "--env-file", env_file, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(env_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            raise SystemExit(f"serve did not write {env_file}: rc={proc.returncode} {out} {err}")
        time.sleep(0.05)
    with open(env_file, encoding="utf-8") as f:
        return proc, kv(f.read())


def stop_server(proc: subprocess.Popen, sig: int, env_file: str, port: int, name: str) -> None:
    proc.send_signal(sig)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
    out, err = proc.communicate()
    check(rc == 0, f"{name}: serve exits 0", rc)
    check(out == "" and err == "", f"{name}: --quiet printed nothing", (out + err)[:200])
    check(not os.path.exists(env_file), f"{name}: env file removed on exit")
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            freed = True
        except OSError:
            freed = False
    check(freed, f"{name}: port {port} is free again")


def check_env_file(path: str, env: dict[str, str]) -> None:
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    keys = [line.split("=", 1)[0] for line in lines]
    check(keys == ["COGNITO_REGION", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID",
                   "COGNITO_ENDPOINT", "AUTHRPC_DEV_USERNAME", "AUTHRPC_DEV_PASSWORD"],
          "env file has exactly the documented keys, in order", keys)
    check(all("=" in line and not line.startswith(("#", "export")) and '"' not in line
              for line in lines), "env file is plain KEY=value lines")
    check(env["COGNITO_ENDPOINT"].startswith("http://127.0.0.1:")
          and env["COGNITO_ENDPOINT"].endswith("/"), "COGNITO_ENDPOINT is http://127.0.0.1:PORT/")
    out = subprocess.run(["bash", "-c", f'set -a; . "{path}"; echo "$COGNITO_USER_POOL_ID"'],
                         capture_output=True, text=True)
    check(out.stdout.strip() == env["COGNITO_USER_POOL_ID"], "env file is sourceable by sh")


def check_tokens(env: dict[str, str]) -> None:
    import boto3

    idp = boto3.client("cognito-idp", endpoint_url=env["COGNITO_ENDPOINT"],
                       region_name=env["COGNITO_REGION"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    res = idp.initiate_auth(ClientId=env["COGNITO_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": env["AUTHRPC_DEV_USERNAME"],
                                            "PASSWORD": env["AUTHRPC_DEV_PASSWORD"]})
    ar = res.get("AuthenticationResult", {})
    check(set(ar) == {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}
          and ar["ExpiresIn"] == 3600 and ar["TokenType"] == "Bearer",
          "boto3 USER_PASSWORD_AUTH as demo returns tokens, ExpiresIn 3600, Bearer", ar.keys())
    issuer = f"https://cognito-idp.{env['COGNITO_REGION']}.amazonaws.com/{env['COGNITO_USER_POOL_ID']}"
    id_h, id_p = (b64json(p) for p in ar["IdToken"].split(".")[:2])
    ac_h, ac_p = (b64json(p) for p in ar["AccessToken"].split(".")[:2])
    check(id_h == ac_h == {"typ": "JWT", "kid": "dummy", "alg": "RS256"},
          "both tokens: header {typ JWT, kid dummy, alg RS256}", (id_h, ac_h))
    check(id_p["iss"] == ac_p["iss"] == issuer, "iss is the AWS form https://cognito-idp.<region>.amazonaws.com/<poolId>")
    check(id_p["token_use"] == "id" and id_p["aud"] == env["COGNITO_CLIENT_ID"] and "client_id" not in id_p,
          "id token: token_use id, aud = client id")
    check(ac_p["token_use"] == "access" and ac_p["client_id"] == env["COGNITO_CLIENT_ID"] and "aud" not in ac_p,
          "access token: token_use access, client_id = client id, no aud")
    check(id_p["cognito:groups"] == ac_p["cognito:groups"] == ["admins"], "cognito:groups [admins] in both")
    check(ac_p["scope"] == "aws.cognito.signin.user.admin" and "scope" not in id_p,
          "access token scope 'aws.cognito.signin.user.admin'; id token has none")
    check(id_p["exp"] - id_p["iat"] == 3600 and id_p["auth_time"] == id_p["iat"] and "nbf" not in id_p,
          "exp = iat + 3600, auth_time = iat, no nbf")
    check(id_p["cognito:username"] == "demo" and ac_p["username"] == "demo" and id_p["sub"] == ac_p["sub"],
          "id: cognito:username; access: username; same sub")
    check(id_p["email"] == "demo@example.com" and id_p["email_verified"] == "true",
          "id token email, email_verified is the STRING \"true\"", id_p.get("email_verified"))
    check(id_p["origin_jti"] == ac_p["origin_jti"] and id_p["jti"] != ac_p["jti"],
          "jti differ, origin_jti shared")
    check("version" not in ac_p and "event_id" not in ac_p, "access token has no version/event_id")

    jwks_url = f"{env['COGNITO_ENDPOINT']}{env['COGNITO_USER_POOL_ID']}/.well-known/jwks.json"
    with urllib.request.urlopen(jwks_url, timeout=5) as resp:
        jwks = json.loads(resp.read())
        ctype = resp.headers["Content-Type"]
    keys = jwks.get("keys", [])
    check(len(keys) == 1 and keys[0]["kid"] == "dummy" and keys[0]["alg"] == "RS256"
          and keys[0]["kty"] == "RSA" and keys[0]["use"] == "sig" and keys[0]["e"] == "AQAB"
          and ctype == "application/json", "JWKS: one RSA key kid dummy, alg RS256, use sig, e AQAB", keys)
    with urllib.request.urlopen(f"{env['COGNITO_ENDPOINT']}us-east-1_nosuchpool/.well-known/jwks.json",
                                timeout=5) as resp:
        check(json.loads(resp.read()) == jwks, "JWKS of any pool id, even unknown, is the same key")
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        def num(s: str) -> int:
            return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")

        pub = rsa.RSAPublicNumbers(num(keys[0]["e"]), num(keys[0]["n"])).public_key()
        for name in ("IdToken", "AccessToken"):
            h, p, s = ar[name].split(".")
            pub.verify(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), f"{h}.{p}".encode(),
                       padding.PKCS1v15(), hashes.SHA256())
        check(pub.key_size == 2048, "both tokens verify (RS256, PKCS#1 v1.5) with the JWKS key, 2048-bit")
    except ImportError:
        print("skip signature check (no cryptography module)")


def check_provision_and_admin(env: dict[str, str], tmp: str) -> None:
    second = os.path.join(tmp, "again.env")
    for i in (1, 2):
        r = run_tool("provision", "--endpoint", env["COGNITO_ENDPOINT"], "--env-file", second)
        verbs = [line.split()[0] for line in r.stdout.splitlines() if not line.startswith("wrote")]
        check(r.returncode == 0 and verbs == ["reused"] * 5,
              f"provision #{i} against the running server reuses all 5 things", r.stdout + r.stderr)
    with open(second, encoding="utf-8") as f:
        check(kv(f.read()) == env, "provision writes the same settings as serve")

    admin = ["admin", "--endpoint", env["COGNITO_ENDPOINT"], "--pool-id", env["COGNITO_USER_POOL_ID"]]
    r = run_tool(*admin, "create-client", "check-secret", "--secret")
    c = kv(r.stdout)
    check(r.returncode == 0 and len(c.get("CLIENT_ID", "")) > 0 and len(c.get("CLIENT_SECRET", "")) > 0,
          "admin create-client --secret prints CLIENT_ID and CLIENT_SECRET", r.stdout)
    r = run_tool(*admin, "create-client", "check-public")
    check(r.returncode == 0 and kv(r.stdout).get("CLIENT_SECRET") == "", "admin create-client: empty CLIENT_SECRET")
    r = run_tool(*admin, "create-user", "checkuser", "Temp1Passw0rd", "--email", "c@example.com")
    check(r.returncode == 0 and kv(r.stdout).get("USER_STATUS") == "FORCE_CHANGE_PASSWORD",
          "admin create-user -> FORCE_CHANGE_PASSWORD", r.stdout + r.stderr)
    r = run_tool(*admin, "add-to-group", "checkuser", "staff")
    check(r.returncode == 0 and kv(r.stdout) == {"USERNAME": "checkuser", "GROUP": "staff"}, "admin add-to-group")
    r = run_tool(*admin, "confirm-user", "checkuser")
    check(r.returncode == 0 and kv(r.stdout).get("USER_STATUS") == "CONFIRMED", "admin confirm-user")
    r = run_tool(*admin, "delete-user", "checkuser")
    check(r.returncode == 0 and kv(r.stdout).get("DELETED") == "true", "admin delete-user")
    r = run_tool(*admin, "delete-user", "checkuser")
    check(r.returncode == 1 and kv(r.stdout).get("ERROR_TYPE") == "UserNotFoundException",
          "admin error: exit 1 and ERROR_TYPE=UserNotFoundException", r.stdout)


# ---------------------------------------------------------------------------
# the unsigned JSON API over plain HTTP


class Raw:
    def __init__(self, env: dict[str, str]):
        u = urllib.parse.urlparse(env["COGNITO_ENDPOINT"])
        self.host, self.port = u.hostname, u.port
        self.cid, self.pool = env["COGNITO_CLIENT_ID"], env["COGNITO_USER_POOL_ID"]

    def __call__(self, op: str, body: dict | None, content_type="application/x-amz-json-1.1",
                 raw: bytes | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.request("POST", "/", body=raw if raw is not None else json.dumps(body),
                     headers={"Content-Type": content_type, "X-Amz-Target": TARGET + op})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = data
        return resp.status, headers, parsed

    def err(self, op: str, body: dict) -> tuple[int, str, str, str]:
        status, headers, data = self(op, body)
        return (status, headers.get("x-amzn-errortype", ""),
                data.get("__type", "") if isinstance(data, dict) else "",
                data.get("message", "") if isinstance(data, dict) else "")

    def auth(self, user: str, password: str, cid: str | None = None, **extra: str):
        return self("InitiateAuth", {"ClientId": cid or self.cid, "AuthFlow": "USER_PASSWORD_AUTH",
                                     "AuthParameters": {"USERNAME": user, "PASSWORD": password, **extra}})


def check_unsigned_api(env: dict[str, str]) -> None:
    api = Raw(env)
    cid = api.cid
    status, headers, body = api("SignUp", {"ClientId": cid, "Username": "u1", "Password": "Passw0rdA",
                                           "UserAttributes": [{"Name": "email", "Value": "u1@example.com"}]})
    check(status == 200 and body.get("UserConfirmed") is False and "UserSub" in body
          and body.get("CodeDeliveryDetails") == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                                  "AttributeName": "email"}
          and headers["content-type"] == "application/x-amz-json-1.1",
          "SignUp (unsigned): 200 UserConfirmed false, UserSub, masked CodeDeliveryDetails", body)
    check(headers.get("connection") == "close", "moto closes the connection after every response")
    status, headers, body = api("SignUp", {"ClientId": cid, "Username": "u2", "Password": "Passw0rdB"})
    check(status == 200 and "CodeDeliveryDetails" not in body, "SignUp without email: no CodeDeliveryDetails")
    e = api.err("SignUp", {"ClientId": cid, "Username": "u1", "Password": "Passw0rdA"})
    check(e == (400, "UsernameExistsException", "UsernameExistsException", "u1"),
          "duplicate SignUp: 400, x-amzn-errortype and __type UsernameExistsException, message = username", e)
    _, headers, _ = api("SignUp", {"ClientId": cid, "Username": "u1", "Password": "Passw0rdA"})
    check(headers.get("content-type") == "application/json", "error responses are Content-Type application/json")
    e = api.err("SignUp", {"ClientId": cid, "Username": "u3", "Password": "nouppercase1"})
    check(e[:3] == (400, "InvalidPasswordException", "InvalidPasswordException"), "weak password: InvalidPasswordException", e)
    e = api.err("SignUp", {"ClientId": "nosuchclient", "Username": "u3", "Password": "Passw0rdA"})
    check(e[:3] == (400, "ResourceNotFoundException", "ResourceNotFoundException"), "unknown ClientId: ResourceNotFoundException", e)

    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "USER_PASSWORD_AUTH",
                                 "AuthParameters": {"USERNAME": "u1", "PASSWORD": "Passw0rdA"}})
    check(e == (400, "UserNotConfirmedException", "UserNotConfirmedException", "User is not confirmed."),
          "unconfirmed sign-in: UserNotConfirmedException", e)
    status, headers, body = api("ResendConfirmationCode", {"ClientId": cid, "Username": "u1"})
    check(status == 500 and headers.get("content-type", "").startswith("text/html") and "x-amzn-errortype" not in headers,
          "ResendConfirmationCode: not implemented, HTTP 500 text/html, no error type", (status, headers))
    status, _, body = api("ConfirmSignUp", {"ClientId": cid, "Username": "u1", "ConfirmationCode": "any-code"})
    check(status == 200 and body == {}, "ConfirmSignUp accepts any code: 200 {}", (status, body))
    e = api.err("ConfirmSignUp", {"ClientId": cid, "Username": "ghost", "ConfirmationCode": "1"})
    check(e[:2] == (400, "UserNotFoundException"), "ConfirmSignUp unknown user: UserNotFoundException", e)

    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "USER_PASSWORD_AUTH",
                                 "AuthParameters": {"USERNAME": "u1", "PASSWORD": "Wrong1Passw0rd"}})
    check(e == (400, "NotAuthorizedException", "NotAuthorizedException", "Incorrect username or password."),
          "wrong password: NotAuthorizedException 'Incorrect username or password.'", e)
    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "USER_PASSWORD_AUTH",
                                 "AuthParameters": {"USERNAME": "ghost", "PASSWORD": "Wrong1Passw0rd"}})
    check(e == (400, "UserNotFoundException", "UserNotFoundException", "User does not exist."),
          "unknown user: UserNotFoundException 'User does not exist.'", e)
    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "USER_PASSWORD_AUTH",
                                 "AuthParameters": {"USERNAME": "U1", "PASSWORD": "Passw0rdA"}})
    check(e[1] == "UserNotFoundException", "usernames are case-sensitive", e)
    status, _, body = api.auth("u1", "Passw0rdA")
    check(status == 200 and set(body) == {"AuthenticationResult"}, "confirmed user signs in", body)
    tokens = body["AuthenticationResult"]
    rt, at = tokens["RefreshToken"], tokens["AccessToken"]
    status, _, body = api("InitiateAuth", {"ClientId": cid, "AuthFlow": "REFRESH_TOKEN_AUTH",
                                           "AuthParameters": {"REFRESH_TOKEN": rt}})
    check(status == 200 and set(body["AuthenticationResult"]) == {"IdToken", "AccessToken", "ExpiresIn", "TokenType"},
          "REFRESH_TOKEN_AUTH: new id+access tokens, no new RefreshToken", body)
    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "REFRESH_TOKEN_AUTH",
                                 "AuthParameters": {"REFRESH_TOKEN": "garbage"}})
    check(e == (400, "NotAuthorizedException", "NotAuthorizedException", "Refresh Token has been revoked"),
          "unknown refresh token: NotAuthorizedException 'Refresh Token has been revoked'", e)

    status, _, body = api("GlobalSignOut", {"AccessToken": at})
    check(status == 200 and body == {}, "GlobalSignOut: 200 {}", (status, body))
    e = api.err("GlobalSignOut", {"AccessToken": at})
    check(e[:2] == (400, "NotAuthorizedException") and e[3] == at,
          "GlobalSignOut again: NotAuthorizedException whose message IS the token", e[:2])
    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "REFRESH_TOKEN_AUTH",
                                 "AuthParameters": {"REFRESH_TOKEN": rt}})
    check(e[:2] == (400, "NotAuthorizedException"), "refresh after GlobalSignOut: NotAuthorizedException", e)

    status, headers, body = api("ForgotPassword", {"ClientId": cid, "Username": "u1"})
    code = headers.get("x-moto-forgot-password-confirmation-code", "")
    check(status == 200 and code.startswith("moto-confirmation-code:")
          and body == {"CodeDeliveryDetails": {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                               "AttributeName": "email"}},
          "ForgotPassword: 200 CodeDeliveryDetails, code in x-moto-forgot-password-confirmation-code", (headers, body))
    status, headers, body = api("ForgotPassword", {"ClientId": cid, "Username": "ghost"})
    check(status == 200 and headers.get("x-moto-forgot-password-confirmation-code") == "None"
          and body["CodeDeliveryDetails"]["Destination"] == "ghost@h***.com",
          "ForgotPassword unknown user: 200 with made-up delivery, code header 'None'", (headers, body))
    e = api.err("ConfirmForgotPassword", {"ClientId": cid, "Username": "u1", "Password": "New1Passw0rd",
                                          "ConfirmationCode": "moto-confirmation-code:1"})
    check(e == (400, "ExpiredCodeException", "ExpiredCodeException",
                "Invalid code provided, please request a code again."),
          "ConfirmForgotPassword wrong moto-confirmation-code: ExpiredCodeException", e)
    status, _, body = api("ConfirmForgotPassword", {"ClientId": cid, "Username": "u1", "Password": "New1Passw0rd",
                                                    "ConfirmationCode": code})
    check(status == 200 and body == {}, "ConfirmForgotPassword with the header's code: 200 {}", (status, body))
    check(api.auth("u1", "New1Passw0rd")[0] == 200, "new password signs in")
    status, _, _ = api("ConfirmForgotPassword", {"ClientId": cid, "Username": "u1", "Password": "weak",
                                                 "ConfirmationCode": "123456"})
    check(status == 200 and api.auth("u1", "weak")[0] == 200,
          "ConfirmForgotPassword: any code not starting 'moto-confirmation-code:' works, even without "
          "ForgotPassword, and the password policy is NOT checked")
    e = api.err("ConfirmForgotPassword", {"ClientId": cid, "Username": "ghost", "Password": "New1Passw0rd",
                                          "ConfirmationCode": "1"})
    check(e[:2] == (400, "ResourceNotFoundException") and e[3] == cid,
          "ConfirmForgotPassword unknown user: ResourceNotFoundException (message = client id)", e)

    # NEW_PASSWORD_REQUIRED (admin-created user)
    api("AdminCreateUser", {"UserPoolId": api.pool, "Username": "n1", "TemporaryPassword": "Temp1Passw0rd",
                            "MessageAction": "SUPPRESS"})
    status, _, body = api.auth("n1", "Temp1Passw0rd")
    check(status == 200 and body.get("ChallengeName") == "NEW_PASSWORD_REQUIRED"
          and body.get("ChallengeParameters") == {"USERNAME": "n1"} and body.get("Session"),
          "admin-created user: NEW_PASSWORD_REQUIRED, ChallengeParameters {USERNAME}, Session", body)
    session = body["Session"]
    rtac = {"ClientId": cid, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
            "ChallengeResponses": {"USERNAME": "n1", "NEW_PASSWORD": "weak"}}
    e = api.err("RespondToAuthChallenge", rtac)
    check(e[:2] == (400, "InvalidPasswordException"), "challenge with weak password: InvalidPasswordException", e)
    e = api.err("RespondToAuthChallenge", {**rtac, "Session": "bogus"})
    check(e[:2] == (400, "ResourceNotFoundException") and e[3] == "bogus",
          "challenge with unknown Session: ResourceNotFoundException (not NotAuthorizedException)", e)
    status, _, body = api("RespondToAuthChallenge",
                          {**rtac, "ChallengeResponses": {"USERNAME": "n1", "NEW_PASSWORD": "N1ew1Passw0rd"}})
    check(status == 200 and body.get("ChallengeParameters") == {} and "AuthenticationResult" in body
          and "RefreshToken" in body["AuthenticationResult"],
          "challenge answered: 200 AuthenticationResult (+ empty ChallengeParameters)", body)
    e = api.err("RespondToAuthChallenge", rtac)
    check(e[:2] == (400, "ResourceNotFoundException"), "a used Session is gone: ResourceNotFoundException", e)
    api("AdminCreateUser", {"UserPoolId": api.pool, "Username": "n2", "TemporaryPassword": "Temp1Passw0rd",
                            "MessageAction": "SUPPRESS"})
    api("AdminCreateUser", {"UserPoolId": api.pool, "Username": "n3", "TemporaryPassword": "Temp1Passw0rd",
                            "MessageAction": "SUPPRESS"})
    session = api.auth("n2", "Temp1Passw0rd")[2]["Session"]
    status, _, body = api("RespondToAuthChallenge", {**rtac, "Session": session, "ChallengeResponses":
                                                     {"USERNAME": "n3", "NEW_PASSWORD": "N3ew1Passw0rd"}})
    check(status == 200 and api.auth("n3", "N3ew1Passw0rd")[0] == 200,
          "moto does not tie Session to USERNAME: n2's session set n3's password")

    # a client with a secret
    status, _, body = api("CreateUserPoolClient", {"UserPoolId": api.pool, "ClientName": "raw-secret",
                                                   "GenerateSecret": True})
    scid, secret = body["UserPoolClient"]["ClientId"], body["UserPoolClient"]["ClientSecret"]

    def secret_hash(user: str) -> str:
        return base64.b64encode(hmac.new(secret.encode(), (user + scid).encode(), hashlib.sha256).digest()).decode()

    status, _, _ = api("SignUp", {"ClientId": scid, "Username": "s1", "Password": "S1ecret1Pw", "SecretHash": "wrong"})
    check(status == 200, "secret client: SignUp ignores a wrong/missing SecretHash")
    status, _, _ = api("ConfirmSignUp", {"ClientId": scid, "Username": "s1", "ConfirmationCode": "1"})
    check(status == 200, "secret client: ConfirmSignUp ignores SecretHash")
    status, _, body = api.auth("s1", "S1ecret1Pw", cid=scid, SECRET_HASH="wrong")
    check(status == 200 and api.auth("s1", "S1ecret1Pw", cid=scid)[0] == 200,
          "secret client: USER_PASSWORD_AUTH ignores a wrong/missing SECRET_HASH")
    srt = body["AuthenticationResult"]["RefreshToken"]
    refresh = {"ClientId": scid, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": srt}}
    e = api.err("InitiateAuth", refresh)
    check(e == (400, "NotAuthorizedException", "NotAuthorizedException", ""),
          "secret client: REFRESH_TOKEN_AUTH without SECRET_HASH: NotAuthorizedException, empty message", e)
    e = api.err("InitiateAuth", {**refresh, "AuthParameters": {"REFRESH_TOKEN": srt, "SECRET_HASH": "wrong"}})
    check(e[:2] == (400, "NotAuthorizedException") and e[3] == "wrong",
          "secret client: REFRESH_TOKEN_AUTH wrong SECRET_HASH: NotAuthorizedException (message = the hash)", e)
    status, _, _ = api("InitiateAuth", {**refresh, "AuthParameters": {
        "REFRESH_TOKEN": srt, "SECRET_HASH": secret_hash("s1"), "USERNAME": "s1"}})
    check(status == 200, "secret client: REFRESH_TOKEN_AUTH with HMAC(secret, username+clientId) works")
    status, _, _ = api("ForgotPassword", {"ClientId": scid, "Username": "s1", "SecretHash": "wrong"})
    check(status == 200, "secret client: ForgotPassword ignores SecretHash")
    status, _, _ = api("InitiateAuth", {**refresh, "ClientId": cid})
    check(status == 200, "a refresh token is accepted by another client of the pool (not bound to its client)")

    # ExplicitAuthFlows
    status, _, body = api("CreateUserPoolClient", {"UserPoolId": api.pool, "ClientName": "raw-noflows",
                                                   "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]})
    status, _, _ = api.auth("u1", "weak", cid=body["UserPoolClient"]["ClientId"])
    check(status == 200, "ExplicitAuthFlows is not enforced (USER_PASSWORD_AUTH works without it)")
    e = api.err("InitiateAuth", {"ClientId": cid, "AuthFlow": "USER_SRP_AUTH",
                                 "AuthParameters": {"USERNAME": "u1"}})
    check(e[1] == "ResourceNotFoundException", "USER_SRP_AUTH without SRP_A: ResourceNotFoundException", e)

    # admin calls unsigned
    status, _, _ = api("AdminConfirmSignUp", {"UserPoolId": api.pool, "Username": "u2"})
    s2, _, _ = api("AdminAddUserToGroup", {"UserPoolId": api.pool, "Username": "u2", "GroupName": "staff"})
    s3, _, _ = api("AdminDeleteUser", {"UserPoolId": api.pool, "Username": "u2"})
    check((status, s2, s3) == (200, 200, 200), "admin operations work unsigned (no Authorization header)")

    # malformed requests
    status, headers, _ = api("SignUp", {"ClientId": cid, "Username": "j1", "Password": "Passw0rdJ"},
                             content_type="application/json")
    check(status == 500 and headers.get("content-type", "").startswith("text/html"),
          "Content-Type application/json (not x-amz-json-1.1): HTTP 500 text/html", status)
    status, headers, body = api("SignUp", None, raw=b"{not json")
    check(status == 400 and headers.get("x-amzn-errortype") == "ResourceNotFoundException",
          "body that is not JSON: 400 ResourceNotFoundException (AWS: SerializationException)", (status, body))
    status, headers, _ = api("NoSuchOperation", {})
    check(status == 500 and "x-amzn-errortype" not in headers, "unknown operation: HTTP 500 text/html", status)
    conn = http.client.HTTPConnection(api.host, api.port, timeout=10)
    conn.request("POST", "/", body="{}", headers={"Content-Type": "application/x-amz-json-1.1"})
    resp = conn.getresponse()
    resp.read()
    check(resp.status == 200 and resp.getheader("Content-Type") == "application/xml",
          "no X-Amz-Target: moto answers as S3 (200 application/xml)", resp.status)
