"""A safe cluster for `energyopt batch --scheduler` (issue 13, finding 14): a scheduler off this machine reached
without TLS gets a warning; with TLS (`distributed.security.Security`, certificates made here and signed by a CA
made here) a real scheduler and worker on 127.0.0.1 solve the cases, and a client without certificates is
refused. Certificates come from `cryptography` if installed, else `openssl`; the TLS tests skip without either."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from energyopt.batch.cluster import address_host, insecure_warning, is_loopback, make_security
from energyopt.errors import BadInput, BatchError

try:
    from .test_cli import assert_exit
except ImportError:
    from test_cli import assert_exit

SMALL = Path(__file__).resolve().parents[1] / "instances" / "small" / "small.toml"
TLS = SimpleNamespace(tls_ca_file="ca.pem", tls_client_cert="client.pem")


def test_addresses_off_this_machine_without_tls_are_warned_about():
    assert address_host("tcp://10.0.0.5:8786") == ("tcp", "10.0.0.5")
    assert address_host("[::1]:8786") == ("tcp", "::1")
    for addr in ("tcp://10.0.0.5:8786", "10.0.0.5:8786", "tcp://0.0.0.0:8786", "tcp://[2001:db8::1]:8786",
                 "ws://10.0.0.5:8786"):
        msg = insecure_warning(addr)
        assert msg and "TLS" in msg and "run code on the workers" in msg and addr in msg, addr
    assert insecure_warning("tls://10.0.0.5:8786", SimpleNamespace(tls_ca_file=None, tls_client_cert=None))


def test_loopback_or_tls_is_not_warned_about():
    for addr in ("tcp://127.0.0.1:8786", "tcp://127.0.0.2:8786", "tcp://localhost:8786", "tcp://[::1]:8786",
                 "inproc://10.0.0.5/1/2"):
        assert insecure_warning(addr) is None, addr
    assert insecure_warning("tls://10.0.0.5:8786", TLS) is None
    assert is_loopback("localhost") and not is_loopback("10.0.0.5")


def test_run_batch_warns_before_connecting_to_a_remote_plain_scheduler(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from energyopt.batch import runner
    from energyopt.batch.cases import collect
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 0.5)
    said: list[str] = []
    with pytest.raises(BatchError, match="cannot reach"):   # 192.0.2.1 is TEST-NET-1: nothing answers
        runner.run_batch(collect([str(SMALL)], []), tmp_path / "out", runner.Options(), scheduler="tcp://192.0.2.1:8786",
                         warn=said.append)
    assert len(said) == 1 and "192.0.2.1" in said[0] and "without TLS" in said[0]


def test_tls_options_go_together(tmp_path):
    (tmp_path / "ca.pem").write_text("x")
    with pytest.raises(BadInput, match="--tls-cert, --tls-key"):
        make_security(tmp_path / "ca.pem", None, None)
    with pytest.raises(BadInput, match="not a readable file"):
        make_security(tmp_path / "ca.pem", tmp_path / "nope.pem", tmp_path / "nope.key")
    assert make_security(None, None, None) is None


def test_cli_refuses_tls_without_scheduler(run_cli, tmp_path):
    (tmp_path / "ca.pem").write_text("x")
    proc = run_cli("batch", SMALL, "--out", tmp_path / "out", "--tls-ca", tmp_path / "ca.pem")
    assert_exit(proc, 3)
    assert "--scheduler" in proc.stderr and not (tmp_path / "out").exists()


# --- TLS with a real scheduler and worker on 127.0.0.1 ---------------------------------------------------------

def _certs_cryptography(d: Path) -> None:
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def pem_key(k):
        return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "energyopt test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (d / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (d / "node.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "node.key").write_bytes(pem_key(key))


def _certs_openssl(d: Path) -> None:
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)
    (d / "ca.cnf").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                              "subjectKeyIdentifier=hash\n")
    (d / "node.cnf").write_text("basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                "extendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\n"
                                "authorityKeyIdentifier=keyid\n")
    run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    run("req", "-new", "-key", "ca.key", "-subj", "/CN=energyopt test CA", "-out", "ca.csr")
    run("x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "1", "-extfile", "ca.cnf", "-out", "ca.pem")
    run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "node.key")
    run("req", "-new", "-key", "node.key", "-subj", "/CN=127.0.0.1", "-out", "node.csr")
    run("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
        "-extfile", "node.cnf", "-out", "node.pem")


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tls")
    try:
        import cryptography  # noqa: F401
        _certs_cryptography(d)
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the cryptography package nor openssl is available to make certificates")
        _certs_openssl(d)
    return d


@pytest.fixture(scope="module")
def tls_cluster(certs):
    """A scheduler and one worker (one thread) in this process, TLS only, on 127.0.0.1."""
    pytest.importorskip("distributed")
    from distributed import LocalCluster
    from distributed.security import Security
    sec = Security(tls_ca_file=str(certs / "ca.pem"), tls_scheduler_cert=str(certs / "node.pem"),
                   tls_scheduler_key=str(certs / "node.key"), tls_worker_cert=str(certs / "node.pem"),
                   tls_worker_key=str(certs / "node.key"), tls_client_cert=str(certs / "node.pem"),
                   tls_client_key=str(certs / "node.key"), require_encryption=True)
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tls", host="127.0.0.1",
                           security=sec, dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


def test_a_batch_runs_on_a_tls_cluster_without_a_warning(tls_cluster, certs, tmp_path):
    from energyopt.batch.cases import collect
    from energyopt.batch.runner import Options, run_batch
    addr = tls_cluster.scheduler_address
    assert addr.startswith("tls://127.0.0.1:")
    said: list[str] = []
    security = make_security(certs / "ca.pem", certs / "node.pem", certs / "node.key")
    rows = run_batch(collect([str(SMALL)], []), tmp_path / "out", Options(), scheduler=addr, security=security,
                     warn=said.append)
    assert [r["status"] for r in rows] == ["optimal"]
    assert (tmp_path / "out" / "cases" / "small" / "summary.json").is_file()
    assert said == []


def test_a_client_without_certificates_is_refused_by_the_tls_scheduler(tls_cluster, tmp_path, monkeypatch):
    from energyopt.batch import runner
    from energyopt.batch.cases import collect
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 3)
    addr = tls_cluster.scheduler_address
    with pytest.raises(BatchError, match="cannot reach"):
        runner.run_batch(collect([str(SMALL)], []), tmp_path / "out", runner.Options(), scheduler=addr)
    plain = addr.replace("tls://", "tcp://")
    with pytest.raises(BatchError, match="cannot reach"):   # plain TCP to the TLS port: no handshake, no pickles
        runner.run_batch(collect([str(SMALL)], []), tmp_path / "out2", runner.Options(), scheduler=plain)
