"""What the blocking and asyncio clients share about reaching a server: the
address list, the order addresses are tried in, and the jittered backoff
between failed rounds (SPEC §10)."""

import random
import socket
import time
from typing import List, Optional, Sequence, Tuple, Union

Address = Tuple[str, int]
AddressLike = Union[str, Tuple[str, int]]


def parse_address(value: AddressLike, default_port: int = 7400) -> Address:
    """``("host", port)``, ``"host:port"``, ``"[v6]:port"`` or a bare host."""
    if isinstance(value, tuple):
        return str(value[0]), int(value[1])
    text = str(value).strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if text.count(":") == 1:
        name, number = text.split(":")
        return name, int(number)
    return text, default_port


def parse_addresses(host: Union[AddressLike, Sequence[AddressLike]], port: int,
                    addresses: Optional[Sequence[AddressLike]]) -> List[Address]:
    if addresses is None:
        pair = isinstance(host, tuple) and len(host) == 2 and isinstance(host[1], int)
        addresses = host if isinstance(host, (list, tuple)) and not pair else [host]  # type: ignore
    parsed = [parse_address(a, port) for a in addresses]
    if not parsed:
        raise ValueError("no address given")
    return parsed


def format_address(address: Address) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Dialer:
    """Which address to try next and when.

    A round tries every address once, starting after the one used last, so a
    dropped connection moves to the next replica. After a round in which none
    answered, the next round waits an exponentially growing, jittered delay
    (``backoff_initial`` doubled per failed round up to ``backoff_max``, each
    delay drawn between half and all of that); a connection resets it. Not
    thread-safe: the clients call it under their connect lock.
    """

    def __init__(self, addresses: List[Address], backoff_initial: float, backoff_max: float):
        self.addresses = addresses
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.next_index = random.randrange(len(addresses))  # spread clients over replicas
        self.failed_rounds = 0
        self.retry_at = 0.0
        self.last_error = ""

    def round(self) -> List[Address]:
        n = len(self.addresses)
        return [self.addresses[(self.next_index + i) % n] for i in range(n)]

    def wait_seconds(self) -> float:
        return max(0.0, self.retry_at - time.monotonic())

    def connected(self, address: Address) -> None:
        self.next_index = (self.addresses.index(address) + 1) % len(self.addresses)
        self.failed_rounds = 0
        self.retry_at = 0.0
        self.last_error = ""

    def failed(self, error: str) -> None:
        self.failed_rounds += 1
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (self.failed_rounds - 1))
        self.retry_at = time.monotonic() + random.uniform(ceiling / 2, ceiling)
        self.last_error = error


def tune_socket(sock: socket.socket) -> None:
    """No Nagle delay (small frames, SPEC §3), and TCP keepalive so a peer that
    vanished (host down, network cut) fails the connection within about a
    minute even when no call is waiting."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
            except OSError:
                pass
