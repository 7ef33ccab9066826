#!/usr/bin/env python3
"""Differential cases for the token payload reader (Sources/TokenVerification/JSONReader.swift,
driven by TokenClaims.swift), judged by a reference built on Python's `json` module.

    scripts/json_differential.py --seed N --count K

writes JSON Lines to stdout. The first line is the header, the configuration both sides
use: {"issuers": [...], "client_ids": [...]}. Every further line is one case:

    {"n", "kind", "payload" (base64 of the bytes; many are not UTF-8), "accept",
     "reason" (why the reference rejected, else null), and when accepted every claim:
     "iss_index", "sub", "username", "cognito_username", "email", "email_verified",
     "groups" (list, null when absent or null), "token_use" ("id"/"access"/"any"),
     "client_id_index", "aud_index", "scope", "scopes", "exp", "nbf", "iat",
     "auth_time", "jti", "origin_jti"}

Tests/TokenVerificationTests/TokenJSONDifferentialTests.swift runs it and checks TokenClaims
agrees on every case. Standard library only; deterministic from the seed.

The reference is Python's json module plus the checks where it is laxer than the
reader's documented rules (each names the Swift function it mirrors). Checks of the
two newest rules (U+0000 in strings, the time-claim range) run last, so a case's
"reason" names them only when nothing older rejects it.
"""
import argparse
import base64
import json
import math
import random
import re
import sys

ISSUERS = [
    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
    "http://127.0.0.1:5000/eu-west-1_Ünïcödé",
]
CLIENT_IDS = [
    "1example23456789abcdefghij",
    "client/é/😀",
    "",
]

MAX_DEPTH = 16                      # JSONReader.maxDepth
MAX_NUMERIC_DATE = 2 ** 53 - 1      # JSONReader.maxNumericDate (new rule)


# --------------------------------------------------------------------------------------
# Reference
# --------------------------------------------------------------------------------------

class Reject(Exception):
    pass


class Num:
    """A JSON number kept as its text (json's parse_int/parse_float hooks), so that huge
    integers are never converted (and never hit int's digit limit)."""
    __slots__ = ("text", "is_int")

    def __init__(self, text, is_int):
        self.text, self.is_int = text, is_int


def _pairs(pairs):
    # JSONReader.readMembers: a key equal (after unescaping) to an earlier key of the
    # same object is rejected, at every depth. Python keeps the last one.
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise Reject("duplicate key")
        seen.add(key)
    return dict(pairs)


def _constant(name):
    # JSONReader.peekKind: NaN, Infinity and -Infinity are not JSON. Python allows them.
    raise Reject("non-JSON constant")


def _depth(v):
    # JSONReader.readObject/readArray: each container is one level (the top-level object
    # is level 1); more than maxDepth levels are rejected. Python has no such limit.
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    return 0


def _strings(v):
    """Every key and string value, anywhere."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def _index(s, candidates):
    # JSONReader.readString(matchingOneOf:): the first candidate equal byte for byte
    # after unescaping (code points, here: the same thing for valid strings), else nil.
    return candidates.index(s) if s in candidates else None


def _text(v, name):
    # TokenClaims.text: a string, or null (absent); any other type rejects.
    if v is None or isinstance(v, str):
        return v
    raise Reject("type:" + name)


def _match(v, name, candidates):
    # TokenClaims.match: string compared with the configuration, or null.
    return None if _text(v, name) is None else _index(v, candidates)


def _aud(v):
    # TokenClaims.matchStringOrArray: a string (as match), or an array of strings only;
    # the result is the candidate index of the first element that matches any candidate
    # (`if first == nil { first = index }`: a non-matching element leaves it nil, so a
    # later one can still set it); nil for [], for no match, and for null.
    if isinstance(v, list):
        if not all(isinstance(e, str) for e in v):
            raise Reject("type:aud element")
        for e in v:
            i = _index(e, CLIENT_IDS)
            if i is not None:
                return i
        return None
    return _match(v, "aud", CLIENT_IDS)


def _token_use(v):
    # TokenClaims.tokenUse: "id"/"access" exactly; any other string or null → any.
    if v is None:
        return "any"
    if isinstance(v, str):
        return v if v in ("id", "access") else "any"
    raise Reject("type:token_use")


def _groups(v):
    # TokenClaims.stringArray (+ groups(in:)): an array of strings only, or null.
    if v is None:
        return None
    if isinstance(v, list) and all(isinstance(e, str) for e in v):
        return v
    raise Reject("type:cognito:groups")


def _flag(v):
    # TokenClaims.flag: a bool; a string (== "true" → true, any other → false); null → false.
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return v == "true"
    raise Reject("type:email_verified")


class _OutOfRange:
    pass


def _date(v, name):
    # TokenClaims.date + JSONReader.readNumericDate (new rule): a number or null. A plain
    # integer is exact; a fraction/exponent is the nearest double, floored; either must
    # have magnitude ≤ 2^53 − 1. Out of range is returned as a marker (checked last).
    if v is None:
        return None
    if not isinstance(v, Num):
        raise Reject("type:" + name)
    if v.is_int:
        if len(v.text.lstrip("-")) > 16:    # > 16 digits ⇒ > 2^53 − 1 (no leading zeros)
            return _OutOfRange()
        n = int(v.text)
        return n if abs(n) <= MAX_NUMERIC_DATE else _OutOfRange()
    d = float(v.text)
    if not math.isfinite(d) or abs(d) > MAX_NUMERIC_DATE:
        return _OutOfRange()
    return math.floor(d)


TEXT_CLAIMS = {"sub": "sub", "username": "username", "cognito:username": "cognito_username",
               "email": "email", "jti": "jti", "origin_jti": "origin_jti", "scope": "scope"}
DATE_CLAIMS = {"exp": "exp", "nbf": "nbf", "iat": "iat", "auth_time": "auth_time"}


def reference(payload):
    """(accept, reason, claims) for a payload's bytes."""
    try:
        # JSONReader.utf8SequenceLength (Unicode Table 3-7): strict UTF-8 — no overlongs,
        # no encoded surrogates, nothing past U+10FFFF. Outside strings any non-ASCII byte
        # is a syntax error anyway, so decoding the whole payload strictly is the same.
        text = payload.decode("utf-8", "strict")
    except UnicodeDecodeError:
        return False, "utf8", None
    try:
        # Where json.loads is already as strict as the reader: it allows only " \t\n\r"
        # as whitespace, so a leading BOM fails (JSONReader.skipWhitespace); it rejects
        # raw control characters in strings (strict=True) and escapes other than JSON's
        # (JSONReader.scanString, hex4), trailing characters (JSONReader.finish); its
        # number grammar is JSON's (JSONReader.scanNumber: no leading zeros, no "1.").
        tree = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                          parse_int=lambda t: Num(t, True), parse_float=lambda t: Num(t, False))
    except Reject as e:
        return False, str(e), None
    except (ValueError, RecursionError):
        return False, "syntax", None
    # TokenClaims.parse → JSONReader.readObject: the top level is one object.
    if not isinstance(tree, dict):
        return False, "top level", None
    if _depth(tree) > MAX_DEPTH:
        return False, "depth", None
    strings = list(_strings(tree))
    # JSONReader.scanString: a \u escape of a surrogate must be a high one followed by a
    # \u low one. Python pairs those too but keeps a lone one as a code point (and after
    # the strict UTF-8 decoding above, any surrogate here came from a lone escape).
    if any(0xD800 <= ord(c) <= 0xDFFF for s in strings for c in s):
        return False, "lone surrogate", None
    try:
        g = tree.get
        claims = {
            "iss_index": _match(g("iss"), "iss", ISSUERS),
            "email_verified": _flag(g("email_verified")),
            "groups": _groups(g("cognito:groups")),
            "token_use": _token_use(g("token_use")),
            "client_id_index": _match(g("client_id"), "client_id", CLIENT_IDS),
            "aud_index": _aud(g("aud")),
        }
        for key, field in TEXT_CLAIMS.items():
            claims[field] = _text(g(key), key)
        for key, field in DATE_CLAIMS.items():
            claims[field] = _date(g(key), key)
    except Reject as e:
        return False, str(e), None
    # New rule (JSONReader.scanString): no string, key or value, holds U+0000.
    if any("\0" in s for s in strings):
        return False, "nul", None
    # New rule (JSONReader.readNumericDate): time claims within ±(2^53 − 1).
    for key, field in DATE_CLAIMS.items():
        if isinstance(claims[field], _OutOfRange):
            return False, "time range:" + key, None
    # ClaimText.words: split on U+0020 only, empty pieces dropped.
    claims["scopes"] = [w for w in claims["scope"].split(" ") if w] if claims["scope"] is not None else []
    return True, None, claims


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------

SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f",
                 "\n": "\\n", "\r": "\\r", "\t": "\\t"}
NEEDS_CHOICE = re.compile(r'["\\/\x00-\x1f]')
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:@+=~!#$%&'()*,;<>?[]{}|^`"
SPECIAL = ('"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "\x80", "\u00e9",
           "\u00a0", "\u07ff", "\u0800", "\u0301", "\u4e2d", "\u2028", "\ufeff", "\ufffd", "\uffff",
           "\U0001f600", "\U00010000", "\U0010ffff", "\U0001d11e", " ", "  ")
WHITESPACE = ("", "", "", " ", "\t", "\n", "\r\n", "  \t ")

# Numbers in every JSON spelling: timestamps, edges of 2^53, fractions, exponents, huge.
NUMBERS = (
    "0", "-0", "1", "-1", "1700000000", "1700003600", "-1700000000", "2147483647", "2147483648",
    "4294967296", "-2147483649", "9007199254740990", "9007199254740991", "9007199254740992",
    "9007199254740993", "-9007199254740991", "-9007199254740992", "99999999999999999",
    "-9999999999999999", "9999999999999999", "10000000000000000", "18446744073709551616",
    "123456789012345678901234567890", "0.0", "-0.0", "0.5", "-0.5", "-0.0001", "1700000000.5",
    "1700000000.999999", "-1700000000.5", "1e3", "1E3", "1e+3", "1e-3", "-1e-300", "1.7e9",
    "1.7E+09", "17e8", "0e0", "-0e-0", "9.007199254740991e15", "9.007199254740992e15",
    "9007199254740991.0", "9007199254740991.4", "9007199254740991.5", "9007199254740990.5",
    "-9007199254740991.5", "9007199254740992.0", "-9007199254740991.0", "1e16", "1e400",
    "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "1700000000.99999999999999999999",
    "1" + "0" * 30 + "e-21", "0." + "0" * 40 + "1e50", "1" * 40, "1" * 400,
)
NON_JSON_WHITESPACE = (b"\x0b", b"\x0c", b"\xc2\xa0", b"\xe2\x80\x8b", b"\xe3\x80\x80",
                       b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"\x00", b"\x85")
BAD_UTF8 = (b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xe0\x9f\xbf", b"\xf0\x80\x80\xaf",
            b"\xf0\x8f\xbf\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80",
            b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff",
            b"\x80", b"\xbf", b"\xc3", b"\xe4\xb8", b"\xf0\x9f\x98", b"\xc3\x28", b"\xe2\x28\xa1")
BAD_ESCAPES = ("\\x41", "\\u12", "\\u12G4", "\\U0041", "\\'", "\\a", "\\0", "\\u 123",
               "\\u+123", "\\u-123", "\\", "\\e", "\\v", "\\%", "\\uD83D\\u", "\\u00e")
SURROGATES = ("\\ud800", "\\udbff", "\\udc00", "\\uDFFF", "\\ud800\\u0041", "\\ud800\\ud800",
              "\\udc00\\ud800", "\\ud83d", "\\ude00\\ud83d", "\\ud83d\\n", "\\ud83dx",
              "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\udbff\\udfff")
BAD_NUMBERS = ("01", "-01", "00", "0.", "-", "--1", ".5", "+1", "1.e5", "1e", "1e+", "0x10",
               "1.5.5", "1ee5", "- 1", "NaN", "Infinity", "-Infinity", "nan", "inf", "1_000",
               "١٢", "0.0.0", "00.5", "-0.", "1E", "tru", "nul", "True", "None", "undefined")


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.rnd = rng.random
        self.inject = None          # bytes to put inside one string (then set to None)

    def chance(self, p):
        return self.rnd() < p

    def pick(self, seq):
        # random.choice's exact sampling is several times slower; a tiny bias is harmless.
        return seq[int(self.rnd() * len(seq))]

    def ws(self):
        return self.pick(WHITESPACE)

    # ---- text -----------------------------------------------------------------------

    def random_text(self, lo=0, hi=16):
        n = self.r.randint(lo, hi)
        out = []
        for _ in range(n):
            k = self.r.random()
            if k < 0.6:
                out.append(self.pick(PLAIN))
            elif k < 0.93:
                out.append(self.pick(SPECIAL))
            else:
                out.append(chr(self.pick((self.r.randint(0x80, 0xD7FF), self.r.randint(0xE000, 0xFFFF),
                                              self.r.randint(0x10000, 0x10FFFF)))))
        if out and self.chance(0.001):
            out.insert(self.r.randrange(len(out)), "\0")     # U+0000: the new rule
        return "".join(out)

    def u_escape(self, c):
        def one(v):
            h = "%04x" % v
            return "\\u" + (h.upper() if self.chance(0.3) else h)
        v = ord(c)
        if v >= 0x10000:
            v -= 0x10000
            return one(0xD800 + (v >> 10)) + one(0xDC00 + (v & 0x3FF))
        return one(v)

    def string(self, s):
        """`s` as a JSON string, each character spelled raw, short-escaped or \\u-escaped."""
        rnd = self.rnd
        escape_rate = self.pick((0.0, 0.0, 0.1, 0.3, 1.0))
        if not escape_rate and self.inject is None and not NEEDS_CHOICE.search(s):
            return b'"' + s.encode("utf-8") + b'"'      # every character raw
        parts = []
        for c in s:
            if c in SHORT_ESCAPES and (c in '"\\' or c < " " or rnd() < 0.5):
                parts.append(SHORT_ESCAPES[c] if rnd() < 0.8 else self.u_escape(c))
            elif c < " " or (escape_rate and rnd() < escape_rate):
                parts.append(self.u_escape(c))
            else:
                parts.append(c)
        if self.inject is not None and rnd() < 0.05:
            # Between two characters' spellings, so that the piece splits no escape.
            cut = self.r.randint(0, len(parts))
            parts.insert(cut, self.inject.decode("latin-1"))
            body = b"".join(p.encode("latin-1") if i == cut else p.encode("utf-8") for i, p in enumerate(parts))
            self.inject = None
        else:
            body = "".join(parts).encode("utf-8")
        return b'"' + body + b'"'

    def key(self, name):
        return self.string(name)

    # ---- values ---------------------------------------------------------------------

    def number(self):
        if self.chance(0.5):
            return self.pick(NUMBERS).encode()
        k = self.r.randint(0, 4)
        if k == 0:
            return str(self.r.randint(-10 ** 10, 10 ** 10)).encode()
        if k == 1:
            return str(self.r.randint(2 ** 53 - 3, 2 ** 53 + 3) * self.pick((1, -1))).encode()
        if k == 2:
            return ("%d.%0*d" % (self.r.randint(-2 * 10 ** 9, 2 * 10 ** 9), self.r.randint(1, 25),
                                 self.r.randint(0, 10 ** 6))).encode()
        if k == 3:
            return ("%s%d%s%s%d" % (self.pick(("", "-")), self.r.randint(0, 99),
                                    self.pick(("e", "E")), self.pick(("", "+", "-")),
                                    self.r.randint(0, 400))).encode()
        return repr(self.r.uniform(-1e16, 1e16)).encode()

    def value(self, depth_left=2):
        k = self.r.randint(0, 9 if depth_left > 0 else 5)
        if k == 0:
            return b"null"
        if k == 1:
            return self.pick((b"true", b"false"))
        if k in (2, 3):
            return self.number()
        if k in (4, 5):
            return self.string(self.random_text())
        if k in (6, 7):
            return self.array([self.value(depth_left - 1) for _ in range(self.r.randint(0, 3))])
        return self.obj([(self.key(self.random_text(0, 6)), self.value(depth_left - 1))
                         for _ in range(self.r.randint(0, 3))])

    def array(self, items):
        return b"[" + self.ws().encode() + b",".join(self.ws().encode() + i + self.ws().encode()
                                                        for i in items) + b"]"

    def obj(self, members):
        return b"{" + self.ws().encode() + b",".join(
            self.ws().encode() + k + self.ws().encode() + b":" + self.ws().encode() + v + self.ws().encode()
            for k, v in members) + self.ws().encode() + b"}"

    def nested(self, levels):
        """`levels` containers nested inside each other (objects and arrays mixed)."""
        v = self.value(0)
        for _ in range(levels):
            v = self.array([v]) if self.chance(0.5) else self.obj([(self.key(self.random_text(0, 3)), v)])
        return v

    def wrong_type(self, allowed):
        kinds = [k for k in ("number", "string", "bool", "array", "object") if k not in allowed]
        k = self.pick(kinds)
        if k == "number":
            return self.number()
        if k == "string":
            return self.string(self.random_text())
        if k == "bool":
            return self.pick((b"true", b"false"))
        if k == "array":
            return self.array([self.value(1) for _ in range(self.r.randint(0, 3))])
        return self.obj([(self.key(self.random_text(0, 5)), self.value(1)) for _ in range(self.r.randint(0, 3))])

    def configured(self, values, near_misses):
        k = self.r.random()
        if k < 0.6:
            return self.pick(values)
        if k < 0.85:
            return self.pick(near_misses)
        return self.random_text()

    # ---- claims ---------------------------------------------------------------------

    def claim(self, name, normal, wrong):
        """A registered claim's value: mostly `normal()`, sometimes null, or a wrong type."""
        if self.chance(0.05):
            return b"null"
        if wrong:
            allowed = {"exp": ("number",), "nbf": ("number",), "iat": ("number",), "auth_time": ("number",),
                       "aud": ("string", "array"), "email_verified": ("bool", "string"),
                       "cognito:groups": ("array",)}.get(name, ("string",))
            return self.wrong_type(allowed)
        return normal()

    def timestamp(self):
        if self.chance(0.8):
            return str(self.r.randint(1_600_000_000, 1_800_000_000)).encode()
        return self.number()

    def cognito(self):
        """A Cognito-shaped id or access token payload, as (key bytes, value bytes) members."""
        r = self.r
        issuer_misses = [ISSUERS[0] + "/", ISSUERS[0].upper(), ISSUERS[1].replace("ü", "u\u0308"),
                         "https://cognito-idp.us-east-1.amazonaws.com/", ISSUERS[0][:-1]]
        client_misses = [CLIENT_IDS[0] + " ", CLIENT_IDS[0][1:], "client/e\u0301/😀", " ", "client"]
        kind = self.pick(("id", "access"))
        s = self.string
        groups = lambda: self.array([s(self.pick(("admins", "staff", "Readers", "")) if self.chance(0.6)
                                       else self.random_text(0, 12)) for _ in range(r.randint(0, 5))])

        def aud():
            if self.chance(0.7):
                return s(self.configured(CLIENT_IDS, client_misses))
            return self.array([s(self.configured(CLIENT_IDS, client_misses)) if self.chance(0.9) else self.value(1)
                               for _ in range(r.randint(0, 4))])

        def flag():
            return self.pick((b"true", b"false", s("true"), s("false"), s("True"), s("tru\u0065"),
                             s("true "), s(self.random_text(0, 5))))

        def token_use():
            if self.chance(0.02):
                return s("id\0")
            return s(self.pick((kind, kind, kind, "id", "access", "ID", "refresh", "", self.random_text(0, 6))))

        def scope():
            return s(self.pick(("aws.cognito.signin.user.admin openid", "openid  email ", " ", "",
                               "a\tb c\nd", "phone\u00a0email", self.random_text())))

        specs = [
            ("sub", lambda: s("5f1e0c1a-%04x-4000-8000-%012x" % (r.randrange(1 << 16), r.randrange(1 << 48))
                              if self.chance(0.6) else self.random_text())),
            ("iss", lambda: s(self.configured(ISSUERS, issuer_misses))),
            ("token_use", token_use),
            ("auth_time", self.timestamp), ("exp", self.timestamp), ("iat", self.timestamp),
            ("jti", lambda: s(self.random_text(0, 40))),
            ("origin_jti", lambda: s(self.random_text(0, 40))),
            ("event_id", lambda: s(self.random_text())),
        ]
        if self.chance(0.7):
            specs.append(("cognito:groups", groups))
        if self.chance(0.3):
            specs.append(("nbf", self.timestamp))
        if kind == "id":
            specs += [("aud", aud), ("cognito:username", lambda: s(self.random_text(1, 20))),
                      ("email", lambda: s(self.random_text(0, 10) + "@example.com")),
                      ("email_verified", flag), ("custom:tenant", lambda: s(self.random_text()))]
            if self.chance(0.2):
                specs.append(("client_id", lambda: s(self.configured(CLIENT_IDS, client_misses))))
        else:
            specs += [("client_id", lambda: s(self.configured(CLIENT_IDS, client_misses))),
                      ("scope", scope), ("username", lambda: s(self.random_text(1, 20))),
                      ("version", lambda: self.number())]
            if self.chance(0.2):
                specs.append(("aud", aud))
        members = []
        wrong = r.randrange(len(specs)) if self.chance(0.3) else None   # at most one wrong type
        for i, (name, normal) in enumerate(specs):
            if self.chance(0.06):
                continue                                    # absent
            members.append((self.key(name), self.claim(name, normal, i == wrong)))
        # Unknown claims: look-alike names (same length, same first/last byte, other case)
        # and arbitrary ones with nested values.
        for _ in range(r.randint(0, 3)):
            name = self.pick(("isx", "Iss", "ISS", "exq", "sub ", "scopf", "usernamf", "email_verifiex",
                             "cognito:group", "cognito:usernamE", "origin_jt", "token-use", "auth-time",
                             "", " ", "\u00e9", "😀", self.random_text(0, 16)))
            members.append((self.key(name), self.value()))
        if self.chance(0.1):
            # Many members: duplicate detection past its 32 in-place slots.
            for i in range(r.randint(28, 45)):
                members.append((self.key("k%d%s" % (i, self.random_text(0, 2))), self.value(1)))
        if self.chance(0.15):
            # Depth around the limit: the top-level object is level 1, so `levels`
            # containers under it make 1 + levels in all.
            members.append((self.key("deep"), self.nested(r.randint(13, 18))))
        # Keys must stay distinct here (mutations add duplicates): keep the first of each.
        seen, unique = set(), []
        for k, v in members:
            decoded = reference_key(k)
            if decoded not in seen:
                seen.add(decoded)
                unique.append((k, v))
        r.shuffle(unique)
        return unique

    def payload(self, members):
        return self.ws().encode() + self.obj(members) + self.ws().encode()


def reference_key(key_bytes):
    try:
        return json.loads(key_bytes.decode("utf-8", "surrogatepass"))
    except ValueError:
        return key_bytes


# ---- mutations (each returns new bytes) -------------------------------------------------

def insert_at(r, data, piece):
    i = r.randint(0, len(data))
    return data[:i] + piece + data[i:]


def mutate(g, kind):
    """A payload made by one named mutation of a Cognito-shaped one."""
    r = g.r
    if kind in ("in_string_bad_utf8", "in_string_control", "in_string_bad_escape",
                "in_string_surrogate", "in_string_nul", "in_string_ok"):
        piece = {
            "in_string_bad_utf8": lambda: g.pick(BAD_UTF8),
            "in_string_control": lambda: bytes([g.pick((0, 1, 8, 9, 10, 13, 0x1b, 0x1f))]),
            "in_string_bad_escape": lambda: g.pick(BAD_ESCAPES).encode(),
            "in_string_surrogate": lambda: g.pick(SURROGATES).encode(),
            "in_string_nul": lambda: g.pick((b"\\u0000", b"\\u0000", b"\\u0000\\u0041", b"\x00")),
            "in_string_ok": lambda: g.pick((b"\\u0041", b"\\/", b"\\\"", b"\x7f", b"\\ud83d\\ude00",
                                              "😀".encode(), b"\xef\xbf\xbf", b"\\u00E9")),
        }[kind]()
        # Into one string (key or value) picked as the payload is made; retried in the
        # rare case that no string took it.
        while True:
            g.inject = piece
            data = g.payload(g.cognito())
            if g.inject is None:
                return data
    members = g.cognito()
    data = g.payload(members)
    if kind == "flip":
        data = bytearray(data)
        for _ in range(r.randint(1, 3)):
            if data:
                data[r.randrange(len(data))] = g.pick((r.randrange(256), 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D,
                                                         0x2C, 0x3A, 0x20, 0x00, 0x80, 0xFF))
        return bytes(data)
    if kind == "insert":
        return insert_at(r, data, g.pick((b",", b":", b"{", b"}", b"[", b"]", b'"', b"\\", b"0", b"-",
                                           b"null", b"e", b" ", b"\x00")) if r.random() < 0.5
                         else bytes(r.randrange(256) for _ in range(r.randint(1, 3))))
    if kind == "delete":
        i = r.randrange(max(len(data), 1))
        return data[:i] + data[i + r.randint(1, 3):]
    if kind == "truncate":
        return data[:r.randrange(max(len(data), 1))]
    if kind == "dup_top":
        if not members:
            return data
        k, _ = g.pick(members)
        name = reference_key(k)
        # The same name spelled the same, or differently (escapes) but equal unescaped.
        spelled = k if r.random() < 0.5 or not isinstance(name, str) else g.string(name)
        extra = (spelled, g.value(1))
        return g.payload(members + [extra] if r.random() < 0.5 else [extra] + members)
    if kind == "dup_nested":
        name = g.random_text(0, 4)
        inner = [(g.key(name), g.value(0)), (g.key(g.random_text(1, 4) + "x"), g.value(0)), (g.string(name), g.value(0))]
        r.shuffle(inner)
        if r.random() < 0.3:
            # Past the 32 in-place slots of the duplicate check.
            inner = [(g.key("m%d" % i), b"1") for i in range(r.randint(30, 40))] + inner
        v = g.obj(inner)
        for _ in range(r.randint(0, 4)):
            v = g.array([g.value(0), v]) if r.random() < 0.5 else g.obj([(g.key("w"), v)])
        return g.payload(members + [(g.key("nested"), v)])
    if kind == "deep":
        return g.payload(members + [(g.key("deep" + g.random_text(0, 2)), g.nested(r.randint(10, 40)))])
    if kind == "deep_claim":
        # Nesting through the containers TokenClaims reads itself (aud, cognito:groups).
        name = g.pick(("aud", "cognito:groups"))
        v = g.array([g.string("admins")])
        wrap = g.nested(r.randint(12, 16))
        members = [m for m in members if reference_key(m[0]) != name] + [(g.key("x"), wrap), (g.key(name), v)]
        return g.payload(members)
    if kind == "whitespace":
        # Non-JSON whitespace at a token boundary.
        pos = [i + 1 for i, b in enumerate(data) if b in b",:{[" ] or [0]
        i = g.pick(pos)
        return data[:i] + g.pick(NON_JSON_WHITESPACE) + data[i:]
    if kind == "bad_number":
        name = g.pick(("exp", "iat", "nbf", "auth_time", "version", "x"))
        members = [m for m in members if reference_key(m[0]) != name]
        return g.payload(members + [(g.key(name), g.pick(BAD_NUMBERS).encode())])
    if kind == "number":
        # Every time claim (and an unknown one) set to a number of any spelling.
        name = g.pick(("exp", "iat", "nbf", "auth_time", "version"))
        members = [m for m in members if reference_key(m[0]) != name]
        return g.payload(members + [(g.key(name), g.number())])
    if kind == "trailing":
        return data + g.pick((b"x", b"}", b"{}", b" {}", b",", b"\x00", b"\n\n", b" \t", b"//",
                                b"\xef\xbb\xbf", b"\xc2\xa0", b"null", b"]"))
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "top_level":
        return g.pick((b"", b" ", b"[]", b"[" + data + b"]", b'"x"', b"1", b"null", b"true", b"{}",
                         b" {} ", b"{", b"}", b"{,}", b'{"a":1,}', b'{"a" 1}', b"{'a':1}", b"{a:1}",
                         b'{"a":1 "b":2}', b'{"a":}', b'{"a"}', b'{"":""}', b"{}{}", b"\t{}\r\n",
                         b"\x0b{}", b'{"a":[1,]}', b'{"a":[,1]}', b'{"a":[1 2]}', b'{"a":tru}',
                         b'{"a":nulll}', b'{"a":True}', b'{"a":"\\u0000"}', b'{"\\u0000":1}'))
    raise ValueError(kind)


MUTATIONS = ("flip", "insert", "delete", "truncate", "dup_top", "dup_nested", "deep", "deep_claim",
             "whitespace", "bad_number", "number", "trailing", "bom", "top_level", "in_string_bad_utf8",
             "in_string_control", "in_string_bad_escape", "in_string_surrogate", "in_string_nul",
             "in_string_ok")


def case(g):
    if g.chance(0.4):
        return "cognito", g.payload(g.cognito())
    kind = g.pick(MUTATIONS)
    return kind, mutate(g, kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    args = ap.parse_args()
    g = Gen(random.Random(args.seed))
    out = sys.stdout
    out.write(json.dumps({"issuers": ISSUERS, "client_ids": CLIENT_IDS}) + "\n")
    for n in range(args.count):
        kind, payload = case(g)
        accept, reason, claims = reference(payload)
        line = {"n": n, "kind": kind, "payload": base64.b64encode(payload).decode("ascii"),
                "accept": accept, "reason": reason}
        if claims:
            line.update(claims)
        out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
