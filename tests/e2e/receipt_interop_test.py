#!/usr/bin/python3
"""Audit receipts checked by an independent client: a real server, Python stubs, and for every
call's receipt two independent verifications, tools/verify_receipt.py's functions and the
openssl command line exactly as docs/receipts.md gives it (its check_receipt.py and commands are
read from the document and run). The entry must describe the call that was made, its salted
digests must match what the client sent and received, and tampered receipts must be refused.

  receipt_interop_test.py --server-binary build/bin/yinjian-server --source-dir .

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-cryptography; openssl).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest
from datetime import datetime

import grpc
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_fixture  # noqa: E402
from audit_fixture import call  # noqa: E402

ARGS = None  # set in main()
vr = None  # tools/verify_receipt.py, imported in main()
DEPARTMENT = "e2e"
OTHER_DEPARTMENT = "e2e-other"
PURPOSE = "receipt-interop"
DOC = os.path.join("docs", "receipts.md")


def documented_block(marker):
    """The fenced code block that follows `<!-- marker -->` in docs/receipts.md."""
    with open(os.path.join(ARGS.source_dir, DOC), encoding="utf-8") as f:
        text = f.read()
    at = text.find(f"<!-- {marker} -->")
    if at < 0:
        raise AssertionError(f"{DOC} has no <!-- {marker} --> block")
    block = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, at)
    return block.group(1)


class ReceiptInteropTest(unittest.TestCase):
    """One server for the class. setUpClass makes the calls; the tests examine their receipts."""

    @classmethod
    def setUpClass(cls):
        cls.d = None
        try:
            cls._set_up()
        except BaseException:
            if cls.d is not None:
                print(cls.d.server.log() if cls.d.server else "", file=sys.stderr)
                cls.d.remove()
            raise

    @classmethod
    def tearDownClass(cls):
        code, log = cls.d.stop()
        cls.d.remove()
        if code != 0:
            raise AssertionError(f"server exited with {code} on SIGTERM:\n{log}")

    @classmethod
    def _set_up(cls):
        cls.d = d = audit_fixture.Deployment(ARGS.server_binary, ARGS.source_dir, "receipts")
        # Checkpoints carry the SM2 line too, so both keys' procedures are checked here.
        d.add_config("audit { sm2_signature: true }\n")
        d.start()
        d.create_department(DEPARTMENT)
        d.create_department(OTHER_DEPARTMENT)
        d.enrol("e2e-officer", DEPARTMENT, "key-officer")
        d.enrol("e2e-app", DEPARTMENT, "application")
        d.enrol("e2e-auditor", DEPARTMENT, "auditor")
        d.enrol("e2e-leaver", DEPARTMENT, "application")
        d.enrol("other-officer", OTHER_DEPARTMENT, "key-officer")
        keys_pb2, crypto_pb2, audit_pb2 = d.keys_pb2, d.crypto_pb2, d.audit_pb2
        crypto = d.stub("crypto", "e2e-app")

        # The calls under test, in this order; each with what its entry must say. A key
        # officer's CreateKey is itself an audited call (R13).
        cls.outcomes, cls.expected = {}, {}

        def record(name, outcome, **expected):
            cls.outcomes[name] = outcome
            cls.expected[name] = expected

        record("create_key",
               call(d.stub("keys", "e2e-officer").CreateKey,
                    keys_pb2.CreateKeyRequest(name=f"{DEPARTMENT}/aes",
                                              kind=d.common_pb2.KEY_KIND_AES256_GCM)),
               principal="e2e-officer", operation="CreateKey", decision="allow", result="OK")
        d.stub("keys", "other-officer").CreateKey(
            keys_pb2.CreateKeyRequest(name=f"{OTHER_DEPARTMENT}/secret",
                                      kind=d.common_pb2.KEY_KIND_AES256_GCM),
            timeout=audit_fixture.RPC_TIMEOUT)
        log_key = call(d.stub("audit", "e2e-app").GetLogKey, audit_pb2.GetLogKeyRequest())
        record("log_key", log_key, principal="e2e-app", operation="GetLogKey", key="",
               decision="allow", result="OK")
        cls.log_key = log_key.response
        cls.log_pem = d.write("log.pem", cls.log_key.pem)
        cls.sm2_pem = d.write("log-sm2.pem", cls.log_key.sm2_pem)
        cls.origin = cls.log_key.origin

        context = {"tenant": "42", "batch": "7", "a": "first in key order"}
        encrypted = call(crypto.Encrypt, crypto_pb2.EncryptRequest(
            key=f"{DEPARTMENT}/aes", plaintext=b"attack at dawn", context=context,
            purpose=PURPOSE))
        record("encrypt", encrypted, principal="e2e-app", operation="Encrypt",
               key=f"{DEPARTMENT}/aes", key_version=1, purpose=PURPOSE, decision="allow",
               reason="OWNER", result="OK")
        record("decrypt",
               call(crypto.Decrypt, crypto_pb2.DecryptRequest(
                   ciphertext=encrypted.response.ciphertext, context=context, purpose=PURPOSE)),
               principal="e2e-app", operation="Decrypt", key=f"{DEPARTMENT}/aes", key_version=1,
               purpose=PURPOSE, decision="allow", reason="OWNER", result="OK")
        # Another department's key without a grant: the policy denies it.
        record("denied_key",
               call(crypto.Encrypt, crypto_pb2.EncryptRequest(
                   key=f"{OTHER_DEPARTMENT}/secret", plaintext=b"not mine", purpose=PURPOSE)),
               principal="e2e-app", operation="Encrypt", key=f"{OTHER_DEPARTMENT}/secret",
               purpose=PURPOSE, decision="deny", result="PERMISSION_DENIED")
        # An application may not create keys: its role denies it.
        record("denied_role",
               call(d.stub("keys", "e2e-app").CreateKey, keys_pb2.CreateKeyRequest(
                   name=f"{DEPARTMENT}/nope", kind=d.common_pb2.KEY_KIND_AES256_GCM)),
               principal="e2e-app", operation="CreateKey", decision="deny",
               reason="ROLE_NOT_PERMITTED", result="PERMISSION_DENIED")
        # A certificate from the server's CA whose principal is disabled: TLS accepts it, the
        # service does not know the caller, and the call is logged all the same.
        d.stub("access", "admin").DisablePrincipal(
            d.access_pb2.DisablePrincipalRequest(name="e2e-leaver"),
            timeout=audit_fixture.RPC_TIMEOUT)
        record("unauthenticated",
               call(d.stub("crypto", "e2e-leaver").Encrypt, crypto_pb2.EncryptRequest(
                   key=f"{DEPARTMENT}/aes", plaintext=b"from a leaver", purpose=PURPOSE)),
               principal="", operation="Encrypt", key="", decision="deny", reason="",
               result="UNAUTHENTICATED")

    # --- helpers ---------------------------------------------------------------------------

    def verified(self, name):
        """The named call's receipt, verified by the script; returns the VerifiedReceipt."""
        return vr.verify_receipt(self.outcomes[name].receipt, self.log_pem, self.origin)

    def run_documented_check(self, receipt, log_pem_bytes=None, origin=None, sm2=False):
        """Runs docs/receipts.md's check_receipt.py and commands in a fresh directory holding
        receipt.txt, log.pem and log-sm2.pem (with `sm2`, then also the SM2 line's commands);
        returns the CompletedProcess."""
        work = tempfile.mkdtemp(dir=self.d.tmp)
        script = documented_block("receipt-check-script")
        commands = documented_block("receipt-check-commands")
        if sm2:
            commands += documented_block("receipt-check-sm2-commands")
        if log_pem_bytes is None:
            with open(self.log_pem, "rb") as f:
                log_pem_bytes = f.read()
        with open(self.sm2_pem, "rb") as f:
            sm2_pem_bytes = f.read()
        for name, content in (("receipt.txt", receipt), ("log.pem", log_pem_bytes),
                              ("log-sm2.pem", sm2_pem_bytes),
                              ("check_receipt.py", script.encode())):
            with open(os.path.join(work, name), "wb") as f:
                f.write(content)
        return subprocess.run(["bash", "-e", "-c", commands], cwd=work, capture_output=True,
                              text=True, timeout=60,
                              env=dict(os.environ, ORIGIN=origin or self.origin))

    def assertRejected(self, receipt, because=None, log_pem=None, origin="default"):
        with self.assertRaises(vr.ReceiptError) as caught:
            vr.verify_receipt(receipt, log_pem or self.log_pem,
                              self.origin if origin == "default" else origin)
        if because is not None:
            self.assertIn(because, str(caught.exception))
        return str(caught.exception)

    def assertDocumentedCheckFails(self, receipt):
        result = self.run_documented_check(receipt)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotIn("Verified OK", result.stdout)

    def replace_line(self, receipt, old, new):
        """`receipt` with its first line `old` replaced by `new`."""
        text = receipt.decode()
        self.assertIn(f"\n{old}\n", text)
        return text.replace(f"\n{old}\n", f"\n{new}\n", 1).encode()

    # --- receipts of genuine calls ---------------------------------------------------------

    def test_every_call_carries_receipt_index_and_salt(self):
        salts = set()
        for name, outcome in self.outcomes.items():
            with self.subTest(call=name):
                self.assertIsNotNone(outcome.receipt, f"{name}: {outcome.trailers}")
                self.assertEqual(vr.split_receipt(outcome.receipt).index, outcome.index)
                self.assertEqual(len(outcome.salt), 32)
                salts.add(outcome.salt)
        self.assertEqual(len(salts), len(self.outcomes), "salts must be fresh per call")

    def test_indices_follow_the_order_of_the_calls(self):
        indices = [outcome.index for outcome in self.outcomes.values()]
        self.assertEqual(indices, sorted(indices))
        self.assertEqual(len(set(indices)), len(indices))

    def test_receipts_verify_and_entries_describe_the_calls(self):
        for name, expected in self.expected.items():
            with self.subTest(call=name):
                outcome = self.outcomes[name]
                self.assertEqual(outcome.code.name, expected["result"], outcome.details)
                receipt = self.verified(name)
                entry = receipt.fields
                self.assertEqual(receipt.index, outcome.index)
                self.assertEqual(entry["index"], outcome.index)
                self.assertGreater(receipt.checkpoint.size, outcome.index)
                self.assertEqual(receipt.checkpoint.origin, self.origin)
                principal = expected["principal"]
                identity = self.d.identities.get(principal)
                self.assertEqual(entry["principal"], principal)
                self.assertEqual(entry["certificate"], identity.fingerprint if identity else "")
                self.assertEqual(entry["department"], DEPARTMENT if identity else "")
                for field in ("operation", "decision", "result"):
                    self.assertEqual(entry[field], expected[field], field)
                for field in ("key", "key_version", "purpose", "reason"):
                    if field in expected:
                        self.assertEqual(entry[field], expected[field], field)
                if entry["decision"] == "deny" and identity is not None:
                    # A denial's message starts with the policy's reason code (access.proto).
                    self.assertTrue(entry["reason"])
                    self.assertTrue(outcome.details.startswith(entry["reason"] + ":"),
                                    (entry["reason"], outcome.details))
                logged = datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
                self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
                self.assertGreaterEqual(logged.timestamp(), outcome.started - 1)
                self.assertLessEqual(logged.timestamp(), outcome.finished + 1)
                self.assertEqual(entry["v"], 1)
                self.assertEqual(sorted(entry), [
                    "certificate", "decision", "department", "index", "key", "key_version",
                    "operation", "principal", "purpose", "reason", "request_digest",
                    "response_digest", "result", "time", "v"])
                # Canonical form: keys sorted, no whitespace between tokens.
                self.assertEqual(receipt.entry, json.dumps(
                    entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())

    def test_key_management_entries_name_the_key(self):
        # R13: a key's creation is a logged operation, and its entry names the key (R9: "which
        # key"), although the decision is made on the department.
        entry = self.verified("create_key").fields
        self.assertEqual(entry["key"], f"{DEPARTMENT}/aes")

    def test_salted_digests_cover_what_was_sent_and_received(self):
        for name, outcome in self.outcomes.items():
            with self.subTest(call=name):
                entry = self.verified(name).fields
                sent = outcome.request.SerializeToString(deterministic=True)
                self.assertEqual(entry["request_digest"], vr.salted_digest_hex(outcome.salt, sent))
                if outcome.response is not None:
                    received = outcome.response.SerializeToString(deterministic=True)
                    self.assertEqual(entry["response_digest"],
                                     vr.salted_digest_hex(outcome.salt, received))
                else:
                    # An error has no payload: the digest is of the salt alone.
                    self.assertEqual(entry["response_digest"],
                                     hashlib.sha256(outcome.salt).hexdigest())
                # The digest binds both the salt and the request.
                other_salt = bytes(b ^ 1 for b in outcome.salt)
                self.assertNotEqual(entry["request_digest"],
                                    vr.salted_digest_hex(other_salt, sent))
                self.assertNotEqual(entry["request_digest"],
                                    vr.salted_digest_hex(outcome.salt, sent + b"\x00"))

    def test_receipts_verify_with_the_documented_openssl_commands(self):
        for name, outcome in self.outcomes.items():
            with self.subTest(call=name):
                result = self.run_documented_check(outcome.receipt)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("Verified OK", result.stdout)
                # The script printed the entry the Python verifier also returns.
                self.assertIn(self.verified(name).entry.decode(), result.stdout)

    def test_log_key_matches_its_verifier_key_and_the_checkpoints(self):
        spki = vr.spki_der(self.log_pem)
        key_id = vr.key_id(spki)
        typed_key = base64.b64encode(b"\x02" + spki).decode()  # signature type 0x02
        self.assertEqual(self.log_key.verifier_key,
                         f"{self.origin}+{key_id.hex()}+{typed_key}")
        # The SM2 key: type 0xFF followed by the DER OID 1.2.156.10197.1.501, and the signed-note
        # spec's recommended key ID, SHA-256(name || 0A || type || SPKI)[0:4].
        sm2_spki = vr.spki_der(self.sm2_pem)
        sm2_type = bytes.fromhex("ff06082a811ccf55018375")
        sm2_key_id = hashlib.sha256(self.origin.encode() + b"\n" + sm2_type + sm2_spki).digest()[:4]
        self.assertEqual(self.log_key.sm2_verifier_key,
                         f"{self.origin}+{sm2_key_id.hex()}+"
                         f"{base64.b64encode(sm2_type + sm2_spki).decode()}")
        note = vr.split_note(vr.split_receipt(self.outcomes["encrypt"].receipt).note)
        self.assertEqual([(s.key_name, s.key_id) for s in note.signatures],
                         [(self.origin, key_id), (self.origin, sm2_key_id)])

    def test_sm2_line_verifies_with_the_documented_openssl_commands(self):
        for name, outcome in self.outcomes.items():
            with self.subTest(call=name):
                result = self.run_documented_check(outcome.receipt, sm2=True)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("Verified OK", result.stdout)  # the ECDSA line
                self.assertIn("Signature Verified Successfully", result.stdout)  # the SM2 line
        # A flipped bit in the SM2 signature: the ECDSA check still passes, openssl's SM2 check
        # does not.
        receipt = self.outcomes["encrypt"].receipt
        sm2_line = receipt.decode().rstrip("\n").split("\n")[-1]
        self.assertTrue(sm2_line.startswith(f"\u2014 {self.origin} "), sm2_line)
        blob = bytearray(base64.b64decode(sm2_line.rsplit(" ", 1)[1]))
        blob[-3] ^= 0x01
        forged = receipt.decode().replace(
            sm2_line, f"\u2014 {self.origin} {base64.b64encode(bytes(blob)).decode()}").encode()
        result = self.run_documented_check(forged, sm2=True)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Verified OK", result.stdout)
        self.assertNotIn("Signature Verified Successfully", result.stdout)

    def test_deferred_receipt_comes_from_get_receipt(self):
        d = self.d
        request = d.crypto_pb2.EncryptRequest(key=f"{DEPARTMENT}/aes", plaintext=b"later",
                                              purpose=PURPOSE)
        outcome = call(d.stub("crypto", "e2e-app").Encrypt, request,
                       metadata=((audit_fixture.MODE_HEADER, "deferred"),))
        self.assertEqual(outcome.code, grpc.StatusCode.OK, outcome.details)
        self.assertIsNone(outcome.receipt)
        self.assertEqual(len(outcome.salt), 32)
        fetched = call(d.stub("audit", "e2e-app").GetReceipt,
                       d.audit_pb2.GetReceiptRequest(index=outcome.index))
        self.assertEqual(fetched.code, grpc.StatusCode.OK, fetched.details)
        self.assertEqual(fetched.response.index, outcome.index)
        receipt = vr.verify_receipt(fetched.response.text, self.log_pem, self.origin)
        self.assertEqual(receipt.index, outcome.index)
        self.assertEqual(receipt.fields["operation"], "Encrypt")
        self.assertEqual(receipt.fields["principal"], "e2e-app")
        self.assertEqual(receipt.fields["request_digest"], vr.salted_digest_hex(
            outcome.salt, request.SerializeToString(deterministic=True)))
        # GetReceipt's own call has its receipt as usual, and GetReceipt answers against a
        # checkpoint at least as new as that call's entry.
        self.assertGreater(fetched.index, outcome.index)
        self.assertGreaterEqual(receipt.checkpoint.size, outcome.index + 1)
        # Someone else's receipt: only its principal and auditors may fetch it.
        refused = call(d.stub("audit", "other-officer").GetReceipt,
                       d.audit_pb2.GetReceiptRequest(index=outcome.index))
        self.assertEqual(refused.code, grpc.StatusCode.PERMISSION_DENIED, refused.details)
        self.assertEqual(vr.verify_receipt(refused.receipt, self.log_pem,
                                           self.origin).fields["result"], "PERMISSION_DENIED")

    def test_old_entry_proves_against_a_newer_checkpoint(self):
        # The officer's CreateKey came first: against today's checkpoint its proof has siblings
        # on both sides (an immediate receipt is usually for the newest leaf, left siblings only).
        original = self.verified("create_key")
        fetched = call(self.d.stub("audit", "e2e-officer").GetReceipt,
                       self.d.audit_pb2.GetReceiptRequest(index=original.index))
        self.assertEqual(fetched.code, grpc.StatusCode.OK, fetched.details)
        receipt = vr.verify_receipt(fetched.response.text, self.log_pem, self.origin)
        self.assertEqual(receipt.entry, original.entry)
        self.assertGreater(receipt.checkpoint.size, original.index + 1)
        result = self.run_documented_check(fetched.response.text.encode())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Verified OK", result.stdout)
        # Swapping two proof hashes breaks it.
        parts = vr.split_receipt(fetched.response.text)
        self.assertGreaterEqual(len(parts.proof), 2)
        first, second = (base64.b64encode(h).decode() for h in parts.proof[:2])
        swapped = fetched.response.text.replace(f"\n{first}\n{second}\n",
                                                f"\n{second}\n{first}\n", 1)
        self.assertRejected(swapped, because="inclusion proof")

    def test_auditor_fetches_the_receipt_of_an_unidentified_caller(self):
        original = self.verified("unauthenticated")
        fetched = call(self.d.stub("audit", "e2e-auditor").GetReceipt,
                       self.d.audit_pb2.GetReceiptRequest(index=original.index))
        self.assertEqual(fetched.code, grpc.StatusCode.OK, fetched.details)
        again = vr.verify_receipt(fetched.response.text, self.log_pem, self.origin)
        self.assertEqual(again.entry, original.entry)
        self.assertGreaterEqual(again.checkpoint.size, original.checkpoint.size)

    def test_documented_example_verifies(self):
        example = documented_block("example-receipt").encode()
        pem = documented_block("example-log-key").encode()
        pem_path = self.d.write("example.pem", pem)
        receipt = vr.verify_receipt(example, pem_path)
        result = self.run_documented_check(example, pem, receipt.checkpoint.origin)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Verified OK", result.stdout)
        self.assertRejected(example, log_pem=self.log_pem, origin=None,
                            because="no signature by the log key")

    # --- tampering -------------------------------------------------------------------------

    def test_flipped_bit_in_the_entry_is_rejected(self):
        genuine = self.outcomes["encrypt"].receipt
        parts = vr.split_receipt(genuine)
        entry = parts.entry

        def with_entry(new_entry):
            old = base64.b64encode(entry).decode()
            return genuine.replace(old.encode(), base64.b64encode(new_entry), 1)

        # One bit of a digest character: still valid JSON, same index; only the Merkle proof
        # can tell.
        at = entry.index(b'"request_digest":"') + len(b'"request_digest":"')
        flipped = entry[:at] + bytes([entry[at] ^ 1]) + entry[at + 1:]
        json.loads(flipped)
        self.assertRejected(with_entry(flipped), because="inclusion proof")
        self.assertDocumentedCheckFails(with_entry(flipped))
        # Any single bit anywhere.
        rng = random.Random(6962)
        for bit in rng.sample(range(len(entry) * 8), 48):
            with self.subTest(bit=bit):
                changed = bytearray(entry)
                changed[bit // 8] ^= 1 << (bit % 8)
                self.assertRejected(with_entry(bytes(changed)))

    def test_altered_proof_hash_is_rejected(self):
        genuine = self.outcomes["encrypt"].receipt
        proof = vr.split_receipt(genuine).proof
        self.assertTrue(proof, "a tree of several entries has a non-empty proof")
        for position, digest in enumerate(proof):
            with self.subTest(position=position):
                altered = bytes([digest[0] ^ 0x80]) + digest[1:]
                tampered = self.replace_line(genuine, base64.b64encode(digest).decode(),
                                             base64.b64encode(altered).decode())
                self.assertNotEqual(tampered, genuine)
                self.assertRejected(tampered, because="inclusion proof")
        # Dropping or adding a hash changes the proof's length.
        lines = genuine.decode().split("\n")
        first_hash = lines.index(base64.b64encode(proof[0]).decode())
        shorter = "\n".join(lines[:first_hash] + lines[first_hash + 1:]).encode()
        self.assertRejected(shorter, because="inclusion proof")
        longer = "\n".join(lines[:first_hash] + lines[first_hash:first_hash + 1] +
                           lines[first_hash:]).encode()
        self.assertRejected(longer, because="inclusion proof")
        self.assertDocumentedCheckFails(shorter)

    def test_changed_index_is_rejected(self):
        genuine = self.outcomes["encrypt"].receipt
        parts = vr.split_receipt(genuine)
        note = vr.split_note(parts.note)
        checkpoint = vr.parse_checkpoint(note.text)
        for index in (parts.index - 1, parts.index + 1):
            with self.subTest(index=index):
                tampered = self.replace_line(genuine, f"index {parts.index}", f"index {index}")
                self.assertRejected(tampered, because=f"the entry says index {parts.index}")
                self.assertDocumentedCheckFails(tampered)
                # The Merkle proof alone binds the position too.
                with self.assertRaises(vr.ReceiptError):
                    vr.verify_inclusion(index, checkpoint.size, vr.leaf_hash(parts.entry),
                                        parts.proof, checkpoint.root)
        beyond = self.replace_line(genuine, f"index {parts.index}", f"index {checkpoint.size}")
        self.assertRejected(beyond)
        with self.assertRaises(vr.ReceiptError):
            vr.verify_inclusion(checkpoint.size, checkpoint.size, vr.leaf_hash(parts.entry),
                                parts.proof, checkpoint.root)

    def test_edited_checkpoint_is_rejected(self):
        genuine = self.outcomes["encrypt"].receipt
        parts = vr.split_receipt(genuine)
        checkpoint = vr.parse_checkpoint(vr.split_note(parts.note).text)
        root_line = base64.b64encode(checkpoint.root).decode()
        # Another root: the proof no longer reaches it.
        other_root = base64.b64encode(hashlib.sha256(checkpoint.root).digest()).decode()
        self.assertRejected(self.replace_line(genuine, root_line, other_root),
                            because="inclusion proof")
        # An extension line keeps origin, size and root: only the signature can tell.
        extended = self.replace_line(genuine, root_line, root_line + "\nextension")
        self.assertEqual(vr.parse_checkpoint(vr.split_note(
            vr.split_receipt(extended).note).text).root, checkpoint.root)
        self.assertRejected(extended, because="signature on the checkpoint does not verify")
        self.assertDocumentedCheckFails(extended)
        # Another size.
        resized = self.replace_line(genuine, f"{self.origin}\n{checkpoint.size}",
                                    f"{self.origin}\n{checkpoint.size + 1}")
        self.assertNotEqual(resized, genuine)
        self.assertRejected(resized)
        self.assertDocumentedCheckFails(resized)
        # Another origin (the log's name): the signature line names the real one.
        renamed = genuine.replace(f"\n\n{self.origin}\n".encode(), b"\n\nyinjian/elsewhere\n", 1)
        self.assertRejected(renamed, because="not 'yinjian/")
        self.assertRejected(renamed, origin=None, because="no signature by the log key")

    def test_foreign_signature_is_rejected(self):
        genuine = self.outcomes["encrypt"].receipt
        note = vr.split_note(vr.split_receipt(genuine).note)
        foreign = ec.generate_private_key(ec.SECP256R1())
        foreign_spki = foreign.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        signature = foreign.sign(note.text.encode(), ec.ECDSA(hashes.SHA256()))
        log_key_id = vr.key_id(vr.spki_der(self.log_pem))
        # The receipt ends with the note's signature lines (the log key's, then the SM2 key's).
        text = genuine.decode()
        signature_block = text[text.rindex("\n\n") + 2:]

        def signature_line(key_id):
            return f"\u2014 {self.origin} {base64.b64encode(key_id + signature).decode()}"

        def with_lines(*lines):
            """The receipt with `lines` in place of all its signature lines."""
            return (text[:len(text) - len(signature_block)] + "\n".join(lines) + "\n").encode()

        # Signed by another key, under that key's ID: not the log's signature.
        own_id = with_lines(signature_line(vr.key_id(foreign_spki)))
        self.assertRejected(own_id, because="no signature by the log key")
        self.assertDocumentedCheckFails(own_id)
        # Signed by another key but claiming the log key's ID: openssl refuses it.
        claimed = with_lines(signature_line(log_key_id))
        self.assertRejected(claimed, because="signature on the checkpoint does not verify")
        self.assertDocumentedCheckFails(claimed)
        # The other key's own PEM does verify its signature: the rejection is about the key.
        foreign_pem = self.d.write("foreign.pem", foreign.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        self.assertEqual(vr.verify_receipt(own_id, foreign_pem, self.origin).index,
                         vr.split_receipt(genuine).index)
        # The genuine receipt against the other key: no signature of that key.
        self.assertRejected(genuine, log_pem=foreign_pem, because="no signature by the log key")
        # An extra signature from an unknown key is ignored, as signed notes require.
        cosigned = with_lines(*signature_block.splitlines(),
                              signature_line(vr.key_id(foreign_spki)))
        self.assertEqual(vr.verify_receipt(cosigned, self.log_pem, self.origin).entry,
                         vr.split_receipt(genuine).entry)

    def test_script_command_line_exit_codes(self):
        script = os.path.join(ARGS.source_dir, "tools", "verify_receipt.py")
        good = self.d.write("good.receipt", self.outcomes["decrypt"].receipt)
        genuine = self.outcomes["decrypt"].receipt
        bad = self.d.write("bad.receipt", genuine.replace(b"\nindex ", b"\nindex 1", 1))
        out = tempfile.mkdtemp(dir=self.d.tmp)

        def run(path, *extra):
            return subprocess.run([sys.executable, script, path, "--log-key", self.log_pem,
                                   *extra], capture_output=True, text=True, timeout=60)

        ok = run(good, "--origin", self.origin, "--out", out)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn(f"OK: entry {self.outcomes['decrypt'].index} ", ok.stdout)
        # The files --out leaves are what the printed openssl command checks.
        command = vr.openssl_verify_command(self.log_pem, os.path.join(out, "sig.der"),
                                            os.path.join(out, "note.txt"))
        self.assertIn(" ".join(command), ok.stdout)
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=60)
        self.assertEqual(rerun.stdout.strip(), "Verified OK")
        invalid = run(bad)
        self.assertEqual(invalid.returncode, 1)
        self.assertTrue(invalid.stderr.startswith("INVALID: "), invalid.stderr)
        wrong_log = run(good, "--origin", "yinjian/elsewhere")
        self.assertEqual(wrong_log.returncode, 1)


class ProofAlgorithmsTest(unittest.TestCase):
    """tools/verify_receipt.py's Merkle functions without a server: the RFC 6962 reference
    tree's known answers (as service/audit/merkle.h and proof_text.h quote them), then every
    inclusion and consistency proof of trees up to 40 leaves, built here from the RFC's
    recursive definitions, and their corruptions."""

    # RFC 6962's reference leaves d0..d7 (the certificate-transparency test vectors).
    LEAVES = [bytes.fromhex(h) for h in (
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f")]

    def test_known_answers(self):
        hashes_ = [vr.leaf_hash(d) for d in self.LEAVES]
        self.assertEqual(hashes_[0].hex(),
                         "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        self.assertEqual(vr.merkle_root(hashes_[:2]).hex(),
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
        root5 = vr.merkle_root(hashes_[:5])
        self.assertEqual(root5.hex(),
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4")
        self.assertEqual(vr.merkle_root([]), hashlib.sha256(b"").digest())
        # proof_text.h: leaf 3 (0x2021) of 5, proof [LeafHash(0x10), MTH(d0, d1),
        # LeafHash(0x3031)]: siblings on the left, then on the right.
        proof = [base64.b64decode(b) for b in (
            "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=",
            "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=")]
        self.assertEqual(proof, [hashes_[2], vr.merkle_root(hashes_[:2]), hashes_[4]])
        vr.verify_inclusion(3, 5, hashes_[3], proof, root5)
        self.assertEqual(base64.b64encode(root5).decode(),
                         "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=")

    def test_every_proof_of_small_trees(self):
        rng = random.Random(9162)
        leaves = [hashlib.sha256(rng.randbytes(8)).digest() for _ in range(40)]
        other = hashlib.sha256(b"other").digest()
        for size in range(1, len(leaves) + 1):
            tree = leaves[:size]
            root = _mth(tree)
            self.assertEqual(vr.merkle_root(tree), root)
            for index in range(size):
                proof = _path(index, tree)
                vr.verify_inclusion(index, size, tree[index], proof, root)
                for bad in ([proof[:-1], [other] + proof[1:]] if proof else []) + [
                        proof + [other]]:
                    with self.assertRaises(vr.ReceiptError, msg=(index, size)):
                        vr.verify_inclusion(index, size, tree[index], bad, root)
                if size > 1:
                    with self.assertRaises(vr.ReceiptError, msg=(index, size)):
                        vr.verify_inclusion((index + 1) % size, size, tree[index], proof, root)
            for old_size in range(1, size):
                proof = _subproof(old_size, tree, True)
                old_root = _mth(tree[:old_size])
                vr.verify_consistency(old_size, size, old_root, root, proof)
                for bad in (proof[:-1], proof + [other], [other] + proof[1:]):
                    with self.assertRaises(vr.ReceiptError, msg=(old_size, size)):
                        vr.verify_consistency(old_size, size, old_root, root, bad)
                with self.assertRaises(vr.ReceiptError):
                    vr.verify_consistency(old_size, size, other, root, proof)
                with self.assertRaises(vr.ReceiptError):
                    vr.verify_consistency(old_size, size, old_root, other, proof)
            # Equal sizes and the empty tree need no proof; a smaller new tree is refused.
            vr.verify_consistency(size, size, root, root, [])
            vr.verify_consistency(0, size, hashlib.sha256(b"").digest(), root, [])
            with self.assertRaises(vr.ReceiptError):
                vr.verify_consistency(size, size, root, other, [])
            if size > 1:
                with self.assertRaises(vr.ReceiptError):
                    vr.verify_consistency(size, size - 1, root, _mth(tree[:-1]), [])


def _split_point(n):
    """The largest power of two below n (RFC 6962 2.1's k)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(leaf_hashes):
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split_point(len(leaf_hashes))
    return vr.node_hash(_mth(leaf_hashes[:k]), _mth(leaf_hashes[k:]))


def _path(m, leaf_hashes):
    """RFC 6962 2.1.1 PATH(m, D[n])."""
    if len(leaf_hashes) == 1:
        return []
    k = _split_point(len(leaf_hashes))
    if m < k:
        return _path(m, leaf_hashes[:k]) + [_mth(leaf_hashes[k:])]
    return _path(m - k, leaf_hashes[k:]) + [_mth(leaf_hashes[:k])]


def _subproof(m, leaf_hashes, complete):
    """RFC 6962 2.1.2 SUBPROOF(m, D[n], b); PROOF(m, D[n]) is SUBPROOF(m, D[n], true)."""
    n = len(leaf_hashes)
    if m == n:
        return [] if complete else [_mth(leaf_hashes)]
    k = _split_point(n)
    if m <= k:
        return _subproof(m, leaf_hashes[:k], complete) + [_mth(leaf_hashes[k:])]
    return _subproof(m - k, leaf_hashes[k:], False) + [_mth(leaf_hashes[:k])]


def main():
    global ARGS, vr
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-binary", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.server_binary = os.path.abspath(ARGS.server_binary)
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    vr = audit_fixture.import_verify_receipt(ARGS.source_dir)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
