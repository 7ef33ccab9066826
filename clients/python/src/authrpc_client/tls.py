"""TLS for the RPC port (SPEC §8): a CA, an optional client certificate and key
(mTLS), a server name; verification always on, TLS 1.3 only."""

import ssl
from typing import Optional, Union


def tls_context(ca: Optional[str] = None, cert: Optional[str] = None,
                key: Optional[str] = None) -> ssl.SSLContext:
    """An ``ssl.SSLContext`` for authrpc: TLS 1.3 minimum, the server's
    certificate verified against ``ca`` (a PEM file; the system's CAs when None)
    and its name checked; ``cert``/``key`` (PEM) present a client certificate
    for servers that require one (``AUTHRPC_TLS_CLIENT_CA``)."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    elif key is not None:
        raise ValueError("tls_key given without tls_cert")
    return ctx


def resolve_tls(tls: Union[ssl.SSLContext, bool, None], ca: Optional[str], cert: Optional[str],
                key: Optional[str], server_name: Optional[str]) -> Optional[ssl.SSLContext]:
    """The context a client uses: ``tls`` itself when it is a context (the file
    options must then be unset), one built from the files when ``tls`` is True or
    any file or a server name is given, None (plaintext) otherwise."""
    if isinstance(tls, ssl.SSLContext):
        if ca or cert or key:
            raise ValueError("pass either an SSLContext or tls_ca/tls_cert/tls_key, not both")
        return tls
    if tls is False:
        if ca or cert or key or server_name:
            raise ValueError("TLS options given with tls=False")
        return None
    if tls or ca or cert or key or server_name:
        return tls_context(ca, cert, key)
    return None
