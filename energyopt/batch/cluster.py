"""How ``energyopt batch --scheduler`` reaches a Dask scheduler safely.

Dask moves pickles between the client, the scheduler and the workers: whoever can reach the scheduler's port
can run code on every worker. A scheduler outside this machine (an address not on loopback) therefore needs
TLS with client certificates (``tls://`` and ``distributed.security.Security``: a CA that signs every party's
certificate, ``require_encryption``); without it the batch still runs but prints a warning on stderr.
TLS comes from ``--tls-ca/--tls-cert/--tls-key`` or from Dask's own configuration
(``distributed.comm.tls.*``, e.g. ``DASK_DISTRIBUTED__COMM__TLS__CA_FILE``), which Dask reads by itself.
"""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BadInput, BatchError, UsageError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def address_host(address: str) -> tuple[str, str]:
    """``(scheme, host)`` of a Dask address (``tcp://10.0.0.5:8786``, ``tls://[::1]:8786``, ``10.0.0.5:8786``)."""
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    try:
        parts = urlsplit(text)
        return parts.scheme.lower(), (parts.hostname or "").lower()
    except ValueError as exc:   # e.g. an unclosed IPv6 bracket
        raise UsageError(f"--scheduler {address!r} is not a Dask address such as tcp://10.0.0.5:8786 ({exc})") from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine's loopback (127.0.0.0/8, ::1, localhost); names are resolved."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def tls_configured(security) -> bool:
    """Whether ``security`` (or Dask's configuration when None) gives a client certificate and a CA."""
    if security is None:
        try:
            from distributed.security import Security
        except ImportError:
            return False
        security = Security()
    return bool(getattr(security, "tls_ca_file", None) and getattr(security, "tls_client_cert", None))


def insecure_warning(address: str, security=None) -> str | None:
    """The warning for a scheduler that is not on loopback and not reached over TLS, or None."""
    scheme, host = address_host(address)
    if scheme == "inproc":   # in this process: nothing on the network (ucx crosses machines, without TLS)
        return None
    if scheme == "tls" and tls_configured(security):
        return None
    if is_loopback(host):
        return None
    return (f"warning: the Dask scheduler {address} is not on this machine and is reached without TLS: Dask "
            "moves pickles, so anyone who can reach its port can run code on the workers. Use a tls:// address "
            "with --tls-ca, --tls-cert and --tls-key (docs/batch.md, 'A safe cluster').")


def make_security(ca: Path | None, cert: Path | None, key: Path | None):
    """A ``distributed.security.Security`` for the client from certificate files, or None when none is given
    (Dask's configuration then applies). All three are needed together: a CA to trust the scheduler, and this
    client's own certificate and key (the scheduler requires them)."""
    given = {"--tls-ca": ca, "--tls-cert": cert, "--tls-key": key}
    if not any(given.values()):
        return None
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise BadInput(f"{', '.join(missing)}: TLS needs --tls-ca, --tls-cert and --tls-key together")
    unreadable = [f"{k} {v}" for k, v in given.items() if not Path(v).is_file()]
    if unreadable:
        raise BadInput(f"not a readable file: {', '.join(unreadable)}")
    try:
        from distributed.security import Security
    except ImportError:
        raise BatchError("--scheduler needs dask.distributed: pip install 'energyopt[cluster]'") from None
    return Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key),
                    require_encryption=True)
