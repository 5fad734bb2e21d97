"""A Yinjian deployment for the audit-log end-to-end tests (receipt_interop_test.py,
audit_crash_test.py): a fresh SoftHSM token, `yinjian-server init`, generated stubs, the server
process, and principals enrolled the way python_client_test.py does it (python3-cryptography
makes each key and CSR, the server's CA signs them through AccessService.AddPrincipal).

Also the receipt plumbing every test needs: a call made with `with_call=True` (or the RpcError
of a failed call) gives its trailing metadata, from which Outcome takes the receipt, the index
and the salt.
"""

import importlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yinjian_harness  # noqa: E402

RPC_TIMEOUT = 60
START_TIMEOUT = 60
STOP_TIMEOUT = 30

RECEIPT_HEADER = "yinjian-receipt-bin"
INDEX_HEADER = "yinjian-receipt-index"
SALT_HEADER = "yinjian-receipt-salt-bin"
MODE_HEADER = "yinjian-receipt"


def import_verify_receipt(source_dir):
    """tools/verify_receipt.py as a module."""
    tools = os.path.join(source_dir, "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    return importlib.import_module("verify_receipt")


@dataclass
class Outcome:
    """One call as the client saw it: what it sent, what came back, and when."""
    request: object
    response: object  # None if the call failed
    code: grpc.StatusCode
    details: str
    trailers: dict
    started: float  # time.time() before the call
    finished: float  # and after

    @property
    def receipt(self):
        return self.trailers.get(RECEIPT_HEADER)

    @property
    def index(self):
        return int(self.trailers[INDEX_HEADER])

    @property
    def salt(self):
        return self.trailers[SALT_HEADER]


def call(rpc, request, metadata=None, timeout=RPC_TIMEOUT):
    """Calls a unary stub method and returns its Outcome, whether it succeeded or failed."""
    started = time.time()
    try:
        response, rpc_call = rpc.with_call(request, timeout=timeout, metadata=metadata)
        code, details, trailers = grpc.StatusCode.OK, "", rpc_call.trailing_metadata()
    except grpc.RpcError as error:
        response, code, details = None, error.code(), error.details()
        trailers = error.trailing_metadata()
    return Outcome(request=request, response=response, code=code, details=details or "",
                   trailers=dict(trailers or ()), started=started, finished=time.time())


@dataclass
class Identity:
    key_pem: bytes
    certificate_pem: bytes
    fingerprint: str = field(init=False)  # SHA-256 of the certificate's DER, hex

    def __post_init__(self):
        certificate = x509.load_pem_x509_certificate(self.certificate_pem)
        self.fingerprint = certificate.fingerprint(hashes.SHA256()).hex()


class Deployment:
    """One data directory and token; the server can be started, killed and started again."""

    def __init__(self, server_binary, source_dir, label):
        self.server_binary = server_binary
        self.source_dir = source_dir
        self.tmp = tempfile.mkdtemp(prefix=f"yinjian-{label}-")
        self.server = None
        self.port = None
        self.channels = []
        self.identities = {}
        try:
            self._initialise(label)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _initialise(self, label):
        token_env = yinjian_harness.create_token(self.source_dir,
                                                 os.path.join(self.tmp, "softhsm"), label)
        self.env = dict(os.environ, **token_env)
        self.data_dir = os.path.join(self.tmp, "data")
        yinjian_harness.run_checked([self.server_binary, "init", "--data-dir", self.data_dir,
                                     "--listen", "127.0.0.1:0"], env=self.env)
        self.config = os.path.join(self.data_dir, "server.conf")
        self.store_path = os.path.join(self.data_dir, "yinjian.db")
        self.checkpoint_file = self.store_path + ".checkpoint"  # the default (config.proto)
        pki = os.path.join(self.data_dir, "pki")
        self.ca_pem = _read(os.path.join(pki, "ca.pem"))
        self.identities["admin"] = Identity(_read(os.path.join(pki, "admin.key")),
                                            _read(os.path.join(pki, "admin.pem")))
        yinjian_harness.generate_stubs(self.source_dir, os.path.join(self.tmp, "stubs"))
        for name in ("access", "audit", "common", "crypto", "keys"):
            setattr(self, f"{name}_pb2", importlib.import_module(f"yinjian.v1.{name}_pb2"))
            setattr(self, f"{name}_grpc",
                    importlib.import_module(f"yinjian.v1.{name}_pb2_grpc"))

    def add_config(self, text):
        """Appends text-format lines to server.conf (e.g. an audit { witness_dir } block)."""
        with open(self.config, "a", encoding="utf-8") as f:
            f.write(text)

    # --- the server ------------------------------------------------------------------------

    def start(self):
        self.server = yinjian_harness.ServerProcess(self.server_binary, self.config, self.env)
        self.port = self.server.start(START_TIMEOUT)
        return self.port

    def kill(self):
        """SIGKILL: no shutdown code runs. Channels stay open (close_channels) so that calls in
        flight fail as a client of a crashed server sees it."""
        self.server.kill()
        log, self.server = self.server.log(), None
        return log

    def stop(self):
        """SIGTERM; returns the exit code and the server's output."""
        self.close_channels()
        if self.server is None:
            return None, ""
        try:
            return self.server.stop(STOP_TIMEOUT), self.server.log()
        finally:
            self.server = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def close_channels(self):
        for channel in self.channels:
            channel.close()
        self.channels = []

    # --- principals ------------------------------------------------------------------------

    def channel(self, name):
        """A new mutual-TLS channel as principal `name` (one per thread if wanted)."""
        identity = self.identities[name]
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem,
                                                   private_key=identity.key_pem,
                                                   certificate_chain=identity.certificate_pem)
        channel = grpc.secure_channel(f"localhost:{self.port}", credentials)
        self.channels.append(channel)
        return channel

    def stub(self, service, name):
        """e.g. stub("crypto", "e2e-app"): a CryptoServiceStub on a new channel."""
        stubs = {"access": ("access_grpc", "AccessServiceStub"),
                 "audit": ("audit_grpc", "AuditServiceStub"),
                 "crypto": ("crypto_grpc", "CryptoServiceStub"),
                 "keys": ("keys_grpc", "KeyManagementServiceStub")}
        module, cls = stubs[service]
        return getattr(getattr(self, module), cls)(self.channel(name))

    def create_department(self, name):
        self.stub("keys", "admin").CreateDepartment(
            self.keys_pb2.CreateDepartmentRequest(name=name, display_name=name),
            timeout=RPC_TIMEOUT)

    def enrol(self, name, department, role):
        """The administrator enrols `name` with a key and CSR made here."""
        key = ec.generate_private_key(ec.SECP256R1())
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .sign(key, hashes.SHA256()))
        response = self.stub("access", "admin").AddPrincipal(
            self.access_pb2.AddPrincipalRequest(
                name=name, department=department, roles=[role],
                csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode()),
            timeout=RPC_TIMEOUT)
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        self.identities[name] = Identity(key_pem, response.certificate_pem.encode())
        return self.identities[name]

    def write(self, name, data):
        """Writes bytes or text to a file in the deployment's directory; returns its path."""
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path


def _read(path):
    with open(path, "rb") as f:
        return f.read()
