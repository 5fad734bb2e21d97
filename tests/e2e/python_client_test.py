#!/usr/bin/python3
"""End-to-end test of Yinjian with an independent client: Python gRPC stubs generated from the
repository's protos, mutual TLS, and signatures checked with python3-cryptography (and the
openssl command line for SM2). The administrator from `yinjian-server init` enrols a key officer
and an application of department e2e: python3-cryptography makes their keys and CSRs, the
server's CA signs them (AccessService.AddPrincipal), and each calls with its own certificate.

  python_client_test.py --server-binary build/bin/yinjian-server --source-dir .

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-grpc-tools, python3-cryptography).
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import grpc
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509 import CertificateSigningRequestBuilder, Name, NameAttribute
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yinjian_harness  # noqa: E402

ARGS = None  # set in main()
RPC_TIMEOUT = 60  # seconds; RSA key generation on SoftHSM is the slowest call
START_TIMEOUT = 60
STOP_TIMEOUT = 30
DEPARTMENT = "e2e"
MIB = 1024 * 1024
SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")


class YinjianEndToEndTest(unittest.TestCase):
    """One server and one token for the whole class; test_zz_restart runs last and restarts it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="yinjian-e2e-")
        cls.server = None
        cls.channel = None
        try:
            cls._set_up()
        except BaseException:
            cls._tear_down()
            raise

    @classmethod
    def _set_up(cls):
        source = ARGS.source_dir
        token_env = yinjian_harness.create_token(source, os.path.join(cls.tmp, "softhsm"), "e2e")
        cls.env = dict(os.environ, **token_env)
        data_dir = os.path.join(cls.tmp, "data")
        yinjian_harness.run_checked([ARGS.server_binary, "init", "--data-dir", data_dir,
                                     "--listen", "127.0.0.1:0"], env=cls.env)
        cls.config = os.path.join(data_dir, "server.conf")
        pki = os.path.join(data_dir, "pki")
        cls.ca_pem = _read(os.path.join(pki, "ca.pem"))
        cls.admin_key = _read(os.path.join(pki, "admin.key"))
        cls.admin_pem = _read(os.path.join(pki, "admin.pem"))

        yinjian_harness.generate_stubs(source, os.path.join(cls.tmp, "stubs"))
        global pb, crypto_pb2, crypto_grpc, keys_pb2, keys_grpc, health_pb2, health_grpc
        global access_pb2, access_grpc
        from yinjian.v1 import common_pb2 as pb
        from yinjian.v1 import access_pb2, crypto_pb2, keys_pb2
        from yinjian.v1 import access_pb2_grpc as access_grpc
        from yinjian.v1 import crypto_pb2_grpc as crypto_grpc
        from yinjian.v1 import keys_pb2_grpc as keys_grpc
        try:
            from grpc_health.v1 import health_pb2, health_pb2_grpc as health_grpc
        except ImportError:
            import yinjian_e2e_health_pb2 as health_pb2
            import yinjian_e2e_health_pb2_grpc as health_grpc

        cls.identities = {}
        cls._start_server()
        cls._enrol()
        cls._create_keys()

    @classmethod
    def tearDownClass(cls):
        code = cls._tear_down()
        if code != 0:
            raise AssertionError(f"server exited with {code} on SIGTERM:\n{cls.server_log}")

    @classmethod
    def _tear_down(cls):
        code = cls._stop_server()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        return code

    @classmethod
    def _open_channel(cls, key_pem, cert_pem):
        credentials = grpc.ssl_channel_credentials(root_certificates=cls.ca_pem,
                                                   private_key=key_pem,
                                                   certificate_chain=cert_pem)
        channel = grpc.secure_channel(f"localhost:{cls.port}", credentials)
        cls.channels.append(channel)
        return channel

    @classmethod
    def _start_server(cls):
        cls.server = yinjian_harness.ServerProcess(ARGS.server_binary, cls.config, cls.env)
        cls.port = cls.server.start(START_TIMEOUT)
        cls.channels = []
        cls.channel = cls._open_channel(cls.admin_key, cls.admin_pem)
        cls.admin_kms = keys_grpc.KeyManagementServiceStub(cls.channel)
        cls.access = access_grpc.AccessServiceStub(cls.channel)
        cls._connect_principals()

    @classmethod
    def _connect_principals(cls):
        """Stubs for the enrolled officer (key management) and application (crypto)."""
        if "e2e-officer" in cls.identities:
            cls.kms = keys_grpc.KeyManagementServiceStub(
                cls._open_channel(*cls.identities["e2e-officer"]))
        if "e2e-app" in cls.identities:
            cls.crypto = crypto_grpc.CryptoServiceStub(
                cls._open_channel(*cls.identities["e2e-app"]))

    @classmethod
    def _enrol(cls):
        """The administrator creates department e2e and enrols its officer and application with
        keys and CSRs made here; the private keys never leave this process."""
        cls.admin_kms.CreateDepartment(keys_pb2.CreateDepartmentRequest(
            name=DEPARTMENT, display_name="End to end"), timeout=RPC_TIMEOUT)
        for name, role in (("e2e-officer", "key-officer"), ("e2e-app", "application")):
            key = ec.generate_private_key(ec.SECP256R1())
            csr = (CertificateSigningRequestBuilder()
                   .subject_name(Name([NameAttribute(NameOID.COMMON_NAME, name)]))
                   .sign(key, hashes.SHA256()))
            response = cls.access.AddPrincipal(access_pb2.AddPrincipalRequest(
                name=name, department=DEPARTMENT, roles=[role],
                csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode()),
                timeout=RPC_TIMEOUT)
            key_pem = key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
            cls.identities[name] = (key_pem, response.certificate_pem.encode())
        cls._connect_principals()

    @classmethod
    def _stop_server(cls):
        """SIGTERMs the server; returns its exit code (None if none was running)."""
        for channel in getattr(cls, "channels", []):
            channel.close()
        cls.channels = []
        cls.channel = None
        if cls.server is None:
            return None
        try:
            return cls.server.stop(STOP_TIMEOUT)
        finally:
            cls.server_log = cls.server.log()
            cls.server = None

    # Every kind, by short name; the key is DEPARTMENT/<short name>.
    KINDS = {
        "aes": "KEY_KIND_AES256_GCM",
        "sm4": "KEY_KIND_SM4",
        "hmac-sha256": "KEY_KIND_HMAC_SHA256",
        "hmac-sha384": "KEY_KIND_HMAC_SHA384",
        "hmac-sm3": "KEY_KIND_HMAC_SM3",
        "ecdsa-p256": "KEY_KIND_ECDSA_P256",
        "ecdsa-p384": "KEY_KIND_ECDSA_P384",
        "rsa-pss-2048": "KEY_KIND_RSA_PSS_2048",
        "rsa-pkcs1-2048": "KEY_KIND_RSA_PKCS1_2048",
        "rsa-pss-3072": "KEY_KIND_RSA_PSS_3072",
        "rsa-pss-4096": "KEY_KIND_RSA_PSS_4096",
        "rsa-pkcs1-3072": "KEY_KIND_RSA_PKCS1_3072",
        "rsa-pkcs1-4096": "KEY_KIND_RSA_PKCS1_4096",
        "ed25519": "KEY_KIND_ED25519",
        "sm2": "KEY_KIND_SM2",
    }
    SOFTWARE_KINDS = {"KEY_KIND_SM2", "KEY_KIND_SM4", "KEY_KIND_HMAC_SM3"}

    @classmethod
    def _create_keys(cls):
        cls.created = {}
        for short, kind in cls.KINDS.items():
            cls.created[short] = cls.kms.CreateKey(
                keys_pb2.CreateKeyRequest(name=_key(short), kind=pb.KeyKind.Value(kind),
                                          description=f"e2e {short}"),
                timeout=RPC_TIMEOUT)

    # --- helpers ---------------------------------------------------------------------------

    def assertRpcFails(self, code, rpc, request):
        with self.assertRaises(grpc.RpcError) as caught:
            rpc(request, timeout=RPC_TIMEOUT)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        return caught.exception

    def encrypt(self, short, plaintext, context=None):
        return self.crypto.Encrypt(crypto_pb2.EncryptRequest(key=_key(short), plaintext=plaintext,
                                                             context=context or {},
                                                             purpose="e2e"),
                                   timeout=RPC_TIMEOUT)

    def decrypt(self, ciphertext, context=None):
        return self.crypto.Decrypt(crypto_pb2.DecryptRequest(ciphertext=ciphertext,
                                                             context=context or {},
                                                             purpose="e2e"),
                                   timeout=RPC_TIMEOUT)

    def sign(self, key, message):
        return self.crypto.Sign(crypto_pb2.SignRequest(key=key, message=message),
                                timeout=RPC_TIMEOUT)

    def verify(self, key, message, signature):
        return self.crypto.Verify(crypto_pb2.VerifyRequest(key=key, message=message,
                                                           signature=signature),
                                  timeout=RPC_TIMEOUT).valid

    def public_key_pem(self, short):
        response = self.crypto.GetPublicKey(crypto_pb2.GetPublicKeyRequest(key=_key(short)),
                                            timeout=RPC_TIMEOUT)
        self.assertEqual(response.key_version.key, _key(short))
        self.assertIn("-----BEGIN PUBLIC KEY-----", response.pem)
        return response.pem.encode()

    def list_keys(self):
        response = self.kms.ListKeys(keys_pb2.ListKeysRequest(department=DEPARTMENT),
                                     timeout=RPC_TIMEOUT)
        return {k.name: k for k in response.keys}

    # --- keys ------------------------------------------------------------------------------

    def test_keys_have_kind_and_protection_level(self):
        listed = self.list_keys()
        self.assertEqual(set(listed), {_key(short) for short in self.KINDS})
        for short, kind_name in self.KINDS.items():
            with self.subTest(key=short):
                expected_level = (pb.PROTECTION_LEVEL_SOFTWARE if kind_name in self.SOFTWARE_KINDS
                                  else pb.PROTECTION_LEVEL_HSM)
                got = self.kms.GetKey(keys_pb2.GetKeyRequest(name=_key(short)),
                                      timeout=RPC_TIMEOUT)
                for key in (self.created[short], listed[_key(short)], got):
                    self.assertEqual(key.name, _key(short))
                    self.assertEqual(pb.KeyKind.Name(key.kind), kind_name)
                    self.assertEqual(key.protection_level, expected_level)
                    self.assertEqual(key.primary_version, 1)
                    self.assertEqual([v.version for v in key.versions], [1])
                    self.assertEqual(key.versions[0].state, keys_pb2.KeyVersion.STATE_ENABLED)
        departments = self.kms.ListDepartments(keys_pb2.ListDepartmentsRequest(),
                                               timeout=RPC_TIMEOUT).departments
        self.assertIn(DEPARTMENT, [d.name for d in departments])

    def test_create_key_duplicate_and_bad_names(self):
        self.assertRpcFails(grpc.StatusCode.ALREADY_EXISTS, self.kms.CreateKey,
                            keys_pb2.CreateKeyRequest(name=_key("aes"),
                                                      kind=pb.KEY_KIND_AES256_GCM))
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.kms.CreateKey,
                            keys_pb2.CreateKeyRequest(name=f"{DEPARTMENT}/Bad Name",
                                                      kind=pb.KEY_KIND_AES256_GCM))
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.admin_kms.CreateDepartment,
                            keys_pb2.CreateDepartmentRequest(name="Bad Name"))
        # A key officer acts only on its own department's keys.
        self.assertRpcFails(grpc.StatusCode.PERMISSION_DENIED, self.kms.CreateKey,
                            keys_pb2.CreateKeyRequest(name="no-such-department/k",
                                                      kind=pb.KEY_KIND_AES256_GCM))

    def test_roles_are_enforced_for_an_independent_client(self):
        # The administrator manages principals but uses no keys; the application uses keys but
        # creates none (R6).
        admin_crypto = crypto_grpc.CryptoServiceStub(self.channel)
        self.assertRpcFails(grpc.StatusCode.PERMISSION_DENIED, admin_crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key=_key("aes"), plaintext=b"x"))
        app_kms = keys_grpc.KeyManagementServiceStub(
            self._open_channel(*self.identities["e2e-app"]))
        self.assertRpcFails(grpc.StatusCode.PERMISSION_DENIED, app_kms.CreateKey,
                            keys_pb2.CreateKeyRequest(name=_key("nope"),
                                                      kind=pb.KEY_KIND_AES256_GCM))
        me = access_grpc.AccessServiceStub(self._open_channel(*self.identities["e2e-app"])).WhoAmI(
            access_pb2.WhoAmIRequest(), timeout=RPC_TIMEOUT)
        self.assertEqual((me.name, me.department, list(me.roles)),
                         ("e2e-app", DEPARTMENT, ["application"]))

    # --- encryption ------------------------------------------------------------------------

    def test_encrypt_decrypt_round_trip_with_context(self):
        context = {"tenant": "42", "purpose": "billing"}
        for short, kind in (("aes", pb.KEY_KIND_AES256_GCM), ("sm4", pb.KEY_KIND_SM4)):
            with self.subTest(key=short):
                plaintext = b"attack at dawn " + short.encode()
                encrypted = self.encrypt(short, plaintext, context)
                self.assertEqual(encrypted.key_version.key, _key(short))
                self.assertEqual(encrypted.key_version.version, 1)
                self.assertEqual(encrypted.key_version.kind, kind)
                self.assertTrue(encrypted.ciphertext.startswith(b"YJC\x01"))
                self.assertNotIn(plaintext, encrypted.ciphertext)
                decrypted = self.decrypt(encrypted.ciphertext, context)
                self.assertEqual(decrypted.plaintext, plaintext)
                self.assertEqual(decrypted.key_version.key, _key(short))
                # Encryption is randomised: the same plaintext never gives the same ciphertext.
                self.assertNotEqual(self.encrypt(short, plaintext, context).ciphertext,
                                    encrypted.ciphertext)
                # Empty plaintext round-trips too.
                self.assertEqual(self.decrypt(self.encrypt(short, b"").ciphertext).plaintext, b"")

    def test_decrypt_rejects_wrong_context_and_tampering(self):
        context = {"tenant": "42"}
        for short in ("aes", "sm4"):
            with self.subTest(key=short):
                ciphertext = self.encrypt(short, b"secret payload", context).ciphertext
                for wrong in ({}, {"tenant": "43"}, {"tenant": "42", "extra": ""}):
                    self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Decrypt,
                                        crypto_pb2.DecryptRequest(ciphertext=ciphertext,
                                                                  context=wrong))
                # The payload follows the header (docs/formats.md): flip a byte of the IV, of
                # the encrypted data and of the tag.
                header_length = 11 + len(DEPARTMENT) + len(short)
                iv_length = 12 if short == "aes" else 16
                for offset in (header_length, header_length + iv_length + 3, len(ciphertext) - 1):
                    tampered = bytearray(ciphertext)
                    tampered[offset] ^= 0x01
                    self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Decrypt,
                                        crypto_pb2.DecryptRequest(ciphertext=bytes(tampered),
                                                                  context=context))
                self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Decrypt,
                                    crypto_pb2.DecryptRequest(ciphertext=ciphertext[:-1],
                                                              context=context))
                self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Decrypt,
                                    crypto_pb2.DecryptRequest(ciphertext=b"not a ciphertext"))
                # The genuine ciphertext still decrypts.
                self.assertEqual(self.decrypt(ciphertext, context).plaintext, b"secret payload")

    def test_reencrypt_to_another_key(self):
        source = self.encrypt("aes", b"moving house", {"from": "aes"}).ciphertext
        moved = self.crypto.ReEncrypt(
            crypto_pb2.ReEncryptRequest(ciphertext=source, source_context={"from": "aes"},
                                        destination_key=_key("sm4"),
                                        destination_context={"to": "sm4"}),
            timeout=RPC_TIMEOUT)
        self.assertEqual(moved.source_key_version.key, _key("aes"))
        self.assertEqual(moved.key_version.key, _key("sm4"))
        self.assertEqual(self.decrypt(moved.ciphertext, {"to": "sm4"}).plaintext, b"moving house")

    def test_generate_data_key_envelope_encryption(self):
        context = {"file": "report.pdf"}
        for short in ("aes", "sm4"):
            with self.subTest(key=short):
                generated = self.crypto.GenerateDataKey(
                    crypto_pb2.GenerateDataKeyRequest(key=_key(short), context=context),
                    timeout=RPC_TIMEOUT)
                data_key = generated.plaintext
                self.assertEqual(len(data_key), 32)
                self.assertEqual(generated.key_version.key, _key(short))
                self.assertEqual(self.decrypt(generated.wrapped_data_key, context).plaintext,
                                 data_key)
                # Envelope encryption: encrypt locally with the data key, keep only the
                # wrapped key, and later unwrap it through the service to decrypt.
                nonce = os.urandom(12)
                document = b"quarterly numbers " * 100
                sealed = AESGCM(data_key).encrypt(nonce, document, b"report.pdf")
                unwrapped = self.decrypt(generated.wrapped_data_key, context).plaintext
                self.assertEqual(AESGCM(unwrapped).decrypt(nonce, sealed, b"report.pdf"),
                                 document)
        sized = self.crypto.GenerateDataKey(
            crypto_pb2.GenerateDataKeyRequest(key=_key("aes"), length_bytes=16,
                                              without_plaintext=True),
            timeout=RPC_TIMEOUT)
        self.assertEqual(sized.plaintext, b"")
        self.assertEqual(len(self.decrypt(sized.wrapped_data_key).plaintext), 16)
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.GenerateDataKey,
                            crypto_pb2.GenerateDataKeyRequest(key=_key("aes"), length_bytes=8))

    # --- signatures ------------------------------------------------------------------------

    def _sign_and_check_with_server(self, short, message):
        signed = self.sign(_key(short), message)
        self.assertEqual(signed.key_version.key, _key(short))
        self.assertTrue(self.verify(_key(short), message, signed.signature))
        self.assertTrue(self.verify(f"{_key(short)}:1", message, signed.signature))
        self.assertFalse(self.verify(_key(short), message + b"!", signed.signature))
        return signed.signature

    def test_sign_ecdsa_verifies_with_cryptography(self):
        message = b"signed by an HSM, checked by python3-cryptography"
        for short, curve, digest in (("ecdsa-p256", ec.SECP256R1, hashes.SHA256()),
                                     ("ecdsa-p384", ec.SECP384R1, hashes.SHA384())):
            with self.subTest(key=short):
                signature = self._sign_and_check_with_server(short, message)
                public_key = serialization.load_pem_public_key(self.public_key_pem(short))
                self.assertIsInstance(public_key, ec.EllipticCurvePublicKey)
                self.assertIsInstance(public_key.curve, curve)
                utils.decode_dss_signature(signature)  # DER, or this raises
                public_key.verify(signature, message, ec.ECDSA(digest))
                with self.assertRaises(InvalidSignature):
                    public_key.verify(signature, message + b"!", ec.ECDSA(digest))

    def test_sign_rsa_verifies_with_cryptography(self):
        message = b"RSA signatures, two paddings"
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        for short, pad, bits in (("rsa-pss-2048", pss, 2048),
                                 ("rsa-pss-3072", pss, 3072),
                                 ("rsa-pss-4096", pss, 4096),
                                 ("rsa-pkcs1-2048", padding.PKCS1v15(), 2048),
                                 ("rsa-pkcs1-3072", padding.PKCS1v15(), 3072),
                                 ("rsa-pkcs1-4096", padding.PKCS1v15(), 4096)):
            with self.subTest(key=short):
                signature = self._sign_and_check_with_server(short, message)
                self.assertEqual(len(signature), bits // 8)
                public_key = serialization.load_pem_public_key(self.public_key_pem(short))
                self.assertIsInstance(public_key, rsa.RSAPublicKey)
                self.assertEqual(public_key.key_size, bits)
                public_key.verify(signature, message, pad, hashes.SHA256())
                with self.assertRaises(InvalidSignature):
                    public_key.verify(signature, message + b"!", pad, hashes.SHA256())
        # PSS is randomised; PKCS#1 v1.5 is deterministic.
        self.assertNotEqual(self.sign(_key("rsa-pss-2048"), message).signature,
                            self.sign(_key("rsa-pss-2048"), message).signature)
        self.assertEqual(self.sign(_key("rsa-pkcs1-2048"), message).signature,
                         self.sign(_key("rsa-pkcs1-2048"), message).signature)

    def test_sign_ed25519_verifies_with_cryptography(self):
        message = b"pure Ed25519"
        signature = self._sign_and_check_with_server("ed25519", message)
        self.assertEqual(len(signature), 64)
        public_key = serialization.load_pem_public_key(self.public_key_pem("ed25519"))
        self.assertIsInstance(public_key, ed25519.Ed25519PublicKey)
        public_key.verify(signature, message)
        with self.assertRaises(InvalidSignature):
            public_key.verify(signature, message + b"!")

    def test_sign_sm2_verifies_with_openssl(self):
        message = b"SM2 with SM3 and the default distinguishing ID"
        signature = self._sign_and_check_with_server("sm2", message)
        work = tempfile.mkdtemp(dir=self.tmp)
        paths = {name: os.path.join(work, name) for name in ("pub.pem", "msg", "bad", "sig")}
        for name, content in (("pub.pem", self.public_key_pem("sm2")), ("msg", message),
                              ("bad", message + b"!"), ("sig", signature)):
            with open(paths[name], "wb") as f:
                f.write(content)

        def openssl_verify(message_path):
            return subprocess.run(
                ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["pub.pem"], "-rawin",
                 "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", message_path,
                 "-sigfile", paths["sig"]],
                capture_output=True, text=True, timeout=RPC_TIMEOUT)

        genuine = openssl_verify(paths["msg"])
        self.assertEqual(genuine.returncode, 0, genuine.stdout + genuine.stderr)
        self.assertIn("Signature Verified Successfully", genuine.stdout)
        forged = openssl_verify(paths["bad"])
        self.assertNotEqual(forged.returncode, 0, forged.stdout)

    def test_sign_caller_computed_digest(self):
        message = b"hashed by the caller"
        digest = hashlib.sha256(message).digest()
        signed = self.crypto.Sign(crypto_pb2.SignRequest(key=_key("ecdsa-p256"), digest=digest),
                                  timeout=RPC_TIMEOUT)
        public_key = serialization.load_pem_public_key(self.public_key_pem("ecdsa-p256"))
        public_key.verify(signed.signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        public_key.verify(signed.signature, message, ec.ECDSA(hashes.SHA256()))
        self.assertTrue(self.verify(_key("ecdsa-p256"), message, signed.signature))
        self.assertTrue(self.crypto.Verify(
            crypto_pb2.VerifyRequest(key=_key("ecdsa-p256"), digest=digest,
                                     signature=signed.signature),
            timeout=RPC_TIMEOUT).valid)
        # A digest of the wrong length for the key's hash is malformed input.
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Sign,
                            crypto_pb2.SignRequest(key=_key("ecdsa-p256"), digest=digest[:20]))

    def test_batch_sign(self):
        messages = [b"one", b"two"]
        response = self.crypto.BatchSign(crypto_pb2.BatchSignRequest(items=[
            crypto_pb2.SignRequest(key=_key("ed25519"), message=messages[0]),
            crypto_pb2.SignRequest(key=_key("aes"), message=messages[1]),
        ]), timeout=RPC_TIMEOUT)
        self.assertEqual([r.status.code for r in response.results],
                         [grpc.StatusCode.OK.value[0],
                          grpc.StatusCode.FAILED_PRECONDITION.value[0]])
        self.assertTrue(self.verify(_key("ed25519"), messages[0],
                                    response.results[0].response.signature))

    # --- MACs, digests, random -------------------------------------------------------------

    def test_mac_is_deterministic_and_verifies(self):
        for short, length in (("hmac-sha256", 32), ("hmac-sha384", 48), ("hmac-sm3", 32)):
            with self.subTest(key=short):
                request = crypto_pb2.MacRequest(key=_key(short), message=b"pseudonym me")
                tag = self.crypto.Mac(request, timeout=RPC_TIMEOUT).mac
                self.assertEqual(len(tag), length)
                self.assertEqual(self.crypto.Mac(request, timeout=RPC_TIMEOUT).mac, tag)
                other = self.crypto.Mac(crypto_pb2.MacRequest(key=_key(short), message=b"other"),
                                        timeout=RPC_TIMEOUT).mac
                self.assertNotEqual(other, tag)

                def verify_mac(message, mac):
                    return self.crypto.VerifyMac(
                        crypto_pb2.VerifyMacRequest(key=_key(short), message=message, mac=mac),
                        timeout=RPC_TIMEOUT).valid

                self.assertTrue(verify_mac(b"pseudonym me", tag))
                self.assertFalse(verify_mac(b"pseudonym me!", tag))
                self.assertFalse(verify_mac(b"pseudonym me", bytes([tag[0] ^ 1]) + tag[1:]))
                self.assertFalse(verify_mac(b"pseudonym me", tag[:-1]))

    def test_digest(self):
        def digest(algorithm, data):
            return self.crypto.Digest(crypto_pb2.DigestRequest(algorithm=algorithm, data=data),
                                      timeout=RPC_TIMEOUT)

        sha256 = digest(pb.DIGEST_ALGORITHM_SHA256, b"abc")
        self.assertEqual(sha256.digest, hashlib.sha256(b"abc").digest())
        self.assertEqual(sha256.algorithm, pb.DIGEST_ALGORITHM_SHA256)
        self.assertEqual(digest(pb.DIGEST_ALGORITHM_SHA384, b"abc").digest,
                         hashlib.sha384(b"abc").digest())
        self.assertEqual(digest(pb.DIGEST_ALGORITHM_SHA512, b"abc").digest,
                         hashlib.sha512(b"abc").digest())
        self.assertEqual(digest(pb.DIGEST_ALGORITHM_SM3, b"abc").digest, SM3_ABC)
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Digest,
                            crypto_pb2.DigestRequest(data=b"abc"))

    def test_digest_stream(self):
        data = os.urandom(3 * MIB)
        chunk = 256 * 1024

        def chunks():
            for offset in range(0, len(data), chunk):
                yield crypto_pb2.DigestChunk(
                    algorithm=pb.DIGEST_ALGORITHM_SHA256 if offset == 0 else 0,
                    data=data[offset:offset + chunk])

        response = self.crypto.DigestStream(chunks(), timeout=RPC_TIMEOUT)
        self.assertEqual(response.digest, hashlib.sha256(data).digest())
        self.assertEqual(response.algorithm, pb.DIGEST_ALGORITHM_SHA256)

    def test_generate_random(self):
        def random(length):
            return self.crypto.GenerateRandom(crypto_pb2.GenerateRandomRequest(length_bytes=length),
                                              timeout=RPC_TIMEOUT).data

        first, second = random(32), random(32)
        self.assertEqual(len(first), 32)
        self.assertEqual(len(second), 32)
        self.assertNotEqual(first, second)
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.GenerateRandom,
                            crypto_pb2.GenerateRandomRequest(length_bytes=0))

    # --- errors ----------------------------------------------------------------------------

    def test_error_codes(self):
        self.assertRpcFails(grpc.StatusCode.NOT_FOUND, self.crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key=_key("no-such-key"), plaintext=b"x"))
        self.assertRpcFails(grpc.StatusCode.NOT_FOUND, self.kms.GetKey,
                            keys_pb2.GetKeyRequest(name=_key("no-such-key")))
        self.assertRpcFails(grpc.StatusCode.FAILED_PRECONDITION, self.crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key=_key("ecdsa-p256"), plaintext=b"x"))
        self.assertRpcFails(grpc.StatusCode.FAILED_PRECONDITION, self.crypto.Sign,
                            crypto_pb2.SignRequest(key=_key("aes"), message=b"x"))
        self.assertRpcFails(grpc.StatusCode.FAILED_PRECONDITION, self.crypto.Mac,
                            crypto_pb2.MacRequest(key=_key("ed25519"), message=b"x"))
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key="Bad Name", plaintext=b"x"))
        self.assertRpcFails(grpc.StatusCode.INVALID_ARGUMENT, self.crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key=f"{DEPARTMENT}/Bad Name",
                                                      plaintext=b"x"))
        self.assertRpcFails(grpc.StatusCode.RESOURCE_EXHAUSTED, self.crypto.Encrypt,
                            crypto_pb2.EncryptRequest(key=_key("aes"), plaintext=bytes(MIB + 1)))

    def test_largest_plaintext_round_trips(self):
        # Exactly the payload limit is allowed, and its ciphertext (the limit plus the header and
        # the IV and tag) must decrypt: Decrypt cannot refuse what Encrypt produced.
        for short in ("aes", "sm4"):
            with self.subTest(key=short):
                ciphertext = self.encrypt(short, bytes(MIB)).ciphertext
                self.assertGreater(len(ciphertext), MIB)
                self.assertEqual(self.decrypt(ciphertext).plaintext, bytes(MIB))

    def test_batch_encrypt_reports_per_item_status(self):
        plaintexts = [b"first", b"second", b"third"]
        keys = [_key("aes"), _key("no-such-key"), _key("sm4")]
        response = self.crypto.BatchEncrypt(crypto_pb2.BatchEncryptRequest(items=[
            crypto_pb2.EncryptRequest(key=k, plaintext=p, context={"i": str(i)})
            for i, (k, p) in enumerate(zip(keys, plaintexts))
        ]), timeout=RPC_TIMEOUT)
        self.assertEqual([r.status.code for r in response.results],
                         [0, grpc.StatusCode.NOT_FOUND.value[0], 0])
        self.assertEqual(response.results[1].response.ciphertext, b"")
        for i in (0, 2):
            self.assertEqual(self.decrypt(response.results[i].response.ciphertext,
                                          {"i": str(i)}).plaintext, plaintexts[i])
        decrypted = self.crypto.BatchDecrypt(crypto_pb2.BatchDecryptRequest(items=[
            crypto_pb2.DecryptRequest(ciphertext=response.results[0].response.ciphertext,
                                      context={"i": "0"}),
            crypto_pb2.DecryptRequest(ciphertext=response.results[2].response.ciphertext,
                                      context={"i": "wrong"}),
        ]), timeout=RPC_TIMEOUT)
        self.assertEqual([r.status.code for r in decrypted.results],
                         [0, grpc.StatusCode.INVALID_ARGUMENT.value[0]])
        self.assertEqual(decrypted.results[0].response.plaintext, plaintexts[0])
        self.assertEqual(decrypted.results[1].response.plaintext, b"")

    # --- transport -------------------------------------------------------------------------

    def test_channel_without_client_certificate_is_refused(self):
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem)
        with grpc.secure_channel(f"localhost:{self.port}", credentials) as channel:
            stub = crypto_grpc.CryptoServiceStub(channel)
            with self.assertRaises(grpc.RpcError) as caught:
                stub.GenerateRandom(crypto_pb2.GenerateRandomRequest(length_bytes=8), timeout=10)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_health_check_is_serving(self):
        stub = health_grpc.HealthStub(self.channel)
        response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=RPC_TIMEOUT)
        self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)

    # --- restart (named to run last) -------------------------------------------------------

    def test_zz_restart_keeps_keys_and_ciphertexts(self):
        context = {"survives": "restart"}
        ciphertexts = {s: self.encrypt(s, b"before restart " + s.encode(), context).ciphertext
                       for s in ("aes", "sm4")}
        message = b"signed before restart"
        signatures = {s: self.sign(_key(s), message).signature
                      for s in ("ecdsa-p256", "ed25519", "sm2", "rsa-pss-2048")}
        tag = self.crypto.Mac(crypto_pb2.MacRequest(key=_key("hmac-sm3"), message=message),
                              timeout=RPC_TIMEOUT).mac
        keys_before = self.list_keys()

        self.assertEqual(type(self)._stop_server(), 0, self.server_log)
        type(self)._start_server()

        self.assertEqual(self.list_keys(), keys_before)
        for short, ciphertext in ciphertexts.items():
            self.assertEqual(self.decrypt(ciphertext, context).plaintext,
                             b"before restart " + short.encode())
        for short, signature in signatures.items():
            self.assertTrue(self.verify(_key(short), message, signature), short)
            self.assertFalse(self.verify(_key(short), message + b"!", signature), short)
        self.assertEqual(self.crypto.Mac(crypto_pb2.MacRequest(key=_key("hmac-sm3"),
                                                               message=message),
                                         timeout=RPC_TIMEOUT).mac, tag)


def _key(short):
    return f"{DEPARTMENT}/{short}"


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-binary", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.server_binary = os.path.abspath(ARGS.server_binary)
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
