#!/usr/bin/env python3
"""Writes the seed corpora of Fuzz/corpus/{frame,jwks,cognito} (docs/FUZZING.md).

Run by `scripts/fuzz seeds`, which first has the fuzz-jwks binary write the fixed fuzz
keys' JWKS (argument 1) and fuzz-token write Fuzz/corpus/token itself. Deterministic:
running it twice changes nothing.
"""
import json
import os
import shutil
import struct
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "Fuzz", "corpus")


def fresh(name):
    path = os.path.join(corpus, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def frame_seeds():
    """The golden frames (already length-prefixed, SPEC §3), some pipelined together."""
    d = fresh("frame")
    golden = os.path.join(root, "Tests", "golden")
    frames = {}
    for name in sorted(os.listdir(golden)):
        if name.endswith(".bin"):
            with open(os.path.join(golden, name), "rb") as f:
                frames[name[:-4]] = f.read()
            write(d, name[:-4], frames[name[:-4]])
    requests = [v for k, v in sorted(frames.items()) if k.startswith("request_")]
    write(d, "pipelined_requests", b"".join(requests))
    write(d, "verify_then_partial", frames["request_verify_token"] + frames["request_health"][:-3])
    write(d, "health_then_oversize", frames["request_health"] + struct.pack(">I", 65537) + b"\x00" * 8)
    write(d, "empty_frame_twice", struct.pack(">I", 0) * 2)
    # A body field this build does not know (field 40, an empty message): UNIMPLEMENTED.
    write(d, "unknown_body_field", struct.pack(">I", 5) + b"\x08\x07\xc2\x02\x00")
    # verify_token sent twice in one Request, token then a scope (a oneof member repeated: merged).
    twice = b"\x08\x01" + b"\xa2\x01\x05\x0a\x03abc" + b"\xa2\x01\x03\x1a\x01s"
    write(d, "oneof_member_twice", struct.pack(">I", len(twice)) + twice)


def jwks_seeds(fuzz_jwks_path):
    """The fuzz keys' JWKS, Cognito-shaped variants, and one document per skip rule."""
    d = fresh("jwks")
    with open(fuzz_jwks_path) as f:
        doc = json.load(f)
    k1, k2 = doc["keys"]
    dump = lambda o: json.dumps(o, separators=(",", ":"))
    write(d, "fuzz-keys", dump(doc))
    write(d, "cognito-pretty", json.dumps({"keys": [k2, k1]}, indent=2))
    variants = {
        "ec-key": {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                   "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "ec", "use": "sig"},
        "oct-key": {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac", "alg": "HS256"},
        "use-enc": dict(k1, use="enc", kid="enc"),
        "alg-rs512": dict(k1, alg="RS512", kid="rs512"),
        "no-kid": {k: v for k, v in k1.items() if k != "kid"},
        "empty-kid": dict(k1, kid=""),
        "bad-n": dict(k1, n="not*base64url", kid="bad-n"),
        "short-modulus": dict(k1, n=k1["n"][:171], kid="short"),
        "big-exponent": dict(k1, e="AQAB" * 40, kid="big-e"),
        "zero-exponent": dict(k1, e="AA", kid="zero-e"),
        "leading-zero-n": dict(k1, n="AAAA" + k1["n"], kid="zero-n"),
        "no-alg-no-use": {k: v for k, v in k1.items() if k not in ("alg", "use")},
        "x5c-extra": dict(k1, x5c=["MIIC"], x5t="abc", key_ops=["verify"], kid="x5c"),
        "escaped-kid": dict(k1, kid="fuzz-key-\u0031\u00e9"),
    }
    for name, key in variants.items():
        write(d, name, dump({"keys": [key, k2]}))
    write(d, "repeated-kid", dump({"keys": [k1, dict(k2, kid=k1["kid"])]}))
    write(d, "key-changed", dump({"keys": [dict(k2, kid=k1["kid"])]}))
    write(d, "empty-keys", '{"keys":[]}')
    write(d, "no-keys", '{"other":1}')
    write(d, "keys-not-array", '{"keys":{"kid":"x"}}')
    write(d, "keys-mixed-types", dump({"keys": [1, "two", None, [k1], k1]}))
    write(d, "extra-members", dump({"issuer": "x", "keys": [k1], "nested": {"a": [1.5e3, True, False, None]}}))
    write(d, "duplicate-keys-member", '{"keys":[],"keys":' + dump([k1]) + "}")
    write(d, "trailing-garbage", dump(doc) + " x")


def cognito_seeds():
    """Cognito JSON answers and errors, in the `RPC STATUS / headers / body` text form."""
    d = fresh("cognito")
    amz = ":http://internal.amazon.com/coral/com.amazon.coral.validate/"

    def err(name, msg="", status=400, extra=(), namespaced=True):
        t = ("com.amazonaws.cognito.identityprovider.model#" if namespaced else "") + name
        headers = ["x-amzn-errortype: " + name + amz, "content-type: application/x-amz-json-1.1"] + list(extra)
        return status, headers, json.dumps({"__type": t, "message": msg}, ensure_ascii=False)

    tokens = ('{"AuthenticationResult":{"AccessToken":"eyJraWQiOiJhIn0.e30.c2ln","ExpiresIn":3600,'
              '"IdToken":"eyJraWQiOiJiIn0.e30.c2ln","RefreshToken":"eyJjdHkiOiJKV1QifQ.x.y.z.w","TokenType":"Bearer"},'
              '"ChallengeParameters":{}}')
    delivery = '{"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}'
    seeds = {
        "register-ok": ("register", 200, ["content-type: application/x-amz-json-1.1"],
                        '{"UserSub":"5f1e0c1a-0000-4000-8000-000000000001","UserConfirmed":false,' + delivery[1:]),
        "register-confirmed": ("register", 200, [], '{"UserSub":"sub-1","UserConfirmed":true}'),
        "register-no-sub": ("register", 200, [], '{"UserConfirmed":true}'),
        "register-exists": ("register",) + err("UsernameExistsException", "User already exists"),
        "register-invalid-password": ("register",) + err(
            "InvalidPasswordException", "Password did not conform with policy: Fuzz-Passw0rd-one! is too weak"),
        "confirm-ok": ("confirm_registration", 200, [], "{}"),
        "confirm-code-mismatch": ("confirm_registration",) + err(
            "CodeMismatchException", "Invalid verification code C0DE-314159 provided, please try again."),
        "confirm-expired": ("confirm_registration",) + err("ExpiredCodeException", "Invalid code provided, please request a code again."),
        "resend-ok": ("resend_confirmation_code", 200, [],
                      '{"CodeDeliveryDetails":{"Destination":"+*******1234","DeliveryMedium":"SMS","AttributeName":"phone_number"}}'),
        "auth-tokens": ("authenticate", 200, [], tokens),
        "auth-challenge": ("authenticate", 200, [],
                           '{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"AYABeJ0-session","ChallengeParameters":'
                           '{"USER_ID_FOR_SRP":"alice","requiredAttributes":"[]","userAttributes":"{\\"email\\":\\"a@example.com\\"}"}}'),
        "auth-neither": ("authenticate", 200, [], '{"ChallengeParameters":{}}'),
        "auth-not-authorized": ("authenticate",) + err("NotAuthorizedException", "Incorrect username or password."),
        "auth-user-not-found": ("authenticate",) + err("UserNotFoundException", "User does not exist.", namespaced=False),
        "auth-not-confirmed": ("authenticate",) + err("UserNotConfirmedException", "User is not confirmed."),
        "auth-reset-required": ("authenticate",) + err("PasswordResetRequiredException", "Password reset required for the user"),
        "auth-throttled-retry-after": ("authenticate",) + err("TooManyRequestsException", "Rate exceeded", extra=["Retry-After: 3"]),
        "auth-too-many-failed": ("authenticate",) + err("TooManyFailedAttemptsException", "Too many failed attempts"),
        "auth-500-plain": ("authenticate", 500, ["content-type: text/plain"], "oops"),
        "auth-500-internal": ("authenticate",) + err("InternalErrorException", "Internal error", status=500),
        "auth-200-not-json": ("authenticate", 200, [], "{not json"),
        "auth-200-array": ("authenticate", 200, [], "[1,2,3]"),
        "challenge-tokens": ("respond_to_challenge", 200, [],
                             '{"AuthenticationResult":{"AccessToken":"a.b.c","ExpiresIn":-5,"IdToken":"d.e.f","TokenType":"Bearer"}}'),
        "challenge-invalid-param": ("respond_to_challenge",) + err(
            "InvalidParameterException", "Invalid session SESSION-AYABeJ0fuzz for the user."),
        "refresh-ok": ("refresh_tokens", 200, [],
                       '{"AuthenticationResult":{"AccessToken":"a.b.c","ExpiresIn":1e3,"IdToken":"d.e.f","TokenType":"Bearer"}}'),
        "refresh-revoked": ("refresh_tokens",) + err("NotAuthorizedException", "Refresh Token has been revoked"),
        "signout-ok": ("sign_out", 200, [], "{}"),
        "signout-not-authorized": ("sign_out",) + err(
            "NotAuthorizedException", "Access Token has been revoked: eyJraWQiOiJhY2Nlc3MifQ.access-fuzz.sig"),
        "signout-user-not-found": ("sign_out",) + err("UserNotFoundException", "User does not exist."),
        "forgot-ok": ("forgot_password", 200, [], delivery),
        "forgot-limit-exceeded": ("forgot_password",) + err(
            "LimitExceededException", "Attempt limit exceeded, please try after some time.", extra=["retry-after: 7200"]),
        "confirm-forgot-ok": ("confirm_forgot_password", 200, [], "{}"),
        "confirm-forgot-weak": ("confirm_forgot_password",) + err(
            "InvalidPasswordException", "Password does not conform to policy: N3w-P\u00e4ssw\u00f6rd-two!"),
        "error-type-only-in-body": ("confirm_forgot_password", 400, [],
                                    '{"__type":"com.amazon.coral#SomethingNewException","Message":"new"}'),
        "moto-style-error": ("authenticate", 400, ["x-amzn-errortype: NotAuthorizedException", "x-amzn-requestid: 8f6c"],
                             '{"__type": "NotAuthorizedException", "message": "Incorrect username or password."}'),
    }
    for name, (rpc, status, headers, body) in seeds.items():
        write(d, name, "%s %d\n%s\n%s" % (rpc, status, "".join(h + "\n" for h in headers), body))
    write(d, "bare-body", '{"UserSub":"x","CodeDeliveryDetails":{"Destination":1}}')


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py FUZZ_KEYS_JWKS_JSON")
    frame_seeds()
    jwks_seeds(sys.argv[1])
    cognito_seeds()
