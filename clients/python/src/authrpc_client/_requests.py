"""The request body of every RPC (SPEC §4), shared by the blocking and asyncio
clients. Each function returns (request field, body, answer field)."""

import contextlib
import contextvars
from typing import Dict, Iterator, Optional, Sequence, Tuple, Union

from . import authrpc_pb2 as pb

TokenUseLike = Union[int, str, None]
Rpc = Tuple[str, object, str]

_TOKEN_USES = {
    "any": pb.TOKEN_USE_ANY,
    "id": pb.TOKEN_USE_ID,
    "access": pb.TOKEN_USE_ACCESS,
}


def token_use(value: TokenUseLike) -> int:
    """``"id"``, ``"access"``, ``"any"``/None, an enum name or the number."""
    if value is None:
        return pb.TOKEN_USE_ANY
    if isinstance(value, str):
        key = value.lower()
        if key in _TOKEN_USES:
            return _TOKEN_USES[key]
        return pb.TokenUse.Value(value)
    return int(value)


def health() -> Rpc:
    return "health", pb.HealthRequest(), "health"


def register(username: str, password: str, email: str,
             attributes: Optional[Dict[str, str]]) -> Rpc:
    return "register", pb.RegisterRequest(username=username, password=password, email=email,
                                          attributes=attributes or {}), "register"


def confirm_registration(username: str, code: str) -> Rpc:
    return ("confirm_registration", pb.ConfirmRegistrationRequest(username=username, code=code),
            "confirm_registration")


def resend_confirmation_code(username: str) -> Rpc:
    return ("resend_confirmation_code", pb.ResendConfirmationCodeRequest(username=username),
            "resend_confirmation_code")


def authenticate(username: str, password: str) -> Rpc:
    return ("authenticate", pb.AuthenticateRequest(username=username, password=password),
            "authenticate")


def respond_to_challenge(username: str, challenge_name: str, session: str,
                         responses: Optional[Dict[str, str]]) -> Rpc:
    return "respond_to_challenge", pb.RespondToChallengeRequest(
        username=username, challenge_name=challenge_name, session=session,
        responses=responses or {}), "respond_to_challenge"


def refresh_tokens(refresh_token: str, username: str) -> Rpc:
    return ("refresh_tokens", pb.RefreshTokensRequest(refresh_token=refresh_token, username=username),
            "refresh_tokens")


def sign_out(access_token: str) -> Rpc:
    return "sign_out", pb.SignOutRequest(access_token=access_token), "sign_out"


def forgot_password(username: str) -> Rpc:
    return "forgot_password", pb.ForgotPasswordRequest(username=username), "forgot_password"


def confirm_forgot_password(username: str, code: str, new_password: str) -> Rpc:
    return "confirm_forgot_password", pb.ConfirmForgotPasswordRequest(
        username=username, code=code, new_password=new_password), "confirm_forgot_password"


def verify_token(token: str, use: TokenUseLike, required_scopes: Sequence[str]) -> Rpc:
    return "verify_token", pb.VerifyTokenRequest(
        token=token, token_use=token_use(use), required_scopes=list(required_scopes)), "verify_token"


def check_groups(token: str, use: TokenUseLike, allowed_groups: Sequence[str],
                 required_groups: Sequence[str], prohibited_groups: Sequence[str]) -> Rpc:
    return "check_groups", pb.CheckGroupsRequest(
        token=token, token_use=token_use(use), allowed_groups=list(allowed_groups),
        required_groups=list(required_groups), prohibited_groups=list(prohibited_groups)), "check_groups"


def build(rpc: Rpc) -> pb.Request:
    field, body, _ = rpc
    req = pb.Request()
    getattr(req, field).CopyFrom(body)
    return req


def body_of(response: pb.Response, rpc: Rpc):
    """The answer's body, checked to be the one the request asks for."""
    from .errors import ProtocolError

    field, _, answer_field = rpc
    got = response.WhichOneof("body")
    if got != answer_field:
        raise ProtocolError(f"{field} answered with body {got!r}")
    return getattr(response, answer_field)


def deadline_ms(request_ms: int, call_timeout: Optional[float], client_ms: int) -> int:
    """SPEC §3 ``deadline_ms``: the request's own, else the per-call timeout,
    else the client's default (0 = none)."""
    if request_ms:
        return request_ms
    if call_timeout is not None:
        return max(1, min(int(call_timeout * 1000 + 0.999), 2**32 - 1))
    return client_ms


_TRACEPARENT: "contextvars.ContextVar[str]" = contextvars.ContextVar("authrpc_traceparent", default="")


@contextlib.contextmanager
def traceparent(value: str) -> Iterator[None]:
    """W3C ``traceparent`` (SPEC §9) of every request sent inside the block, by any
    client, in this thread or asyncio task (a ``contextvars`` value), unless the
    request has its own. The server logs its trace id in the access and audit lines
    and forwards it nowhere; one that does not parse is ignored, not refused."""
    token = _TRACEPARENT.set(value)
    try:
        yield
    finally:
        _TRACEPARENT.reset(token)


def trace(request_value: str, client_value: str) -> str:
    """The request's own traceparent, else the one of the enclosing ``traceparent()``
    block, else the client's default."""
    return request_value or _TRACEPARENT.get() or client_value
