#!/usr/bin/python3
"""The audit log survives SIGKILL under load. Four client threads encrypt concurrently and keep
every receipt the server returns. Once 300 receipts are in, the server is killed with SIGKILL and
started again on the same data directory. After that:

  - every receipt the clients received verifies (tools/verify_receipt.py) and is at its index;
  - an auditor pages through the whole log with Query: indices 0..n-1 with no gap, each entry
    naming its own index;
  - the tree recomputed here from all entries has the root of every checkpoint from
    ListCheckpoints and GetCheckpoint;
  - GetConsistencyProof from the earliest receipt's checkpoint to the latest verifies
    (RFC 9162 2.1.4.2);
  - the checkpoint file as the crash left it is signed, matches the tree, and is at least as new
    as every receipt; the witness directory holds the same checkpoints;
  - finally, a store restored from an older copy is refused at startup.

  audit_crash_test.py --server-binary build/bin/yinjian-server --source-dir .
"""

import argparse
import os
import shutil
import sys
import threading
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_fixture  # noqa: E402
from audit_fixture import call  # noqa: E402

ARGS = None  # set in main()
vr = None  # tools/verify_receipt.py
DEPARTMENT = "e2e"
PURPOSE = "crash-test"
THREADS = 4
CALLS_PER_THREAD = 150
KILL_AFTER_RECEIPTS = 300
LOAD_TIMEOUT = 180  # seconds for the first KILL_AFTER_RECEIPTS receipts
JOIN_TIMEOUT = 60
QUERY_PAGE = 250


class AuditCrashTest(unittest.TestCase):
    """setUpClass runs the load, the kill and the restart, and collects what the server then
    reports; the tests check it. test_zz_* runs last and stops the server."""

    @classmethod
    def setUpClass(cls):
        cls.d = None
        try:
            cls._set_up()
        except BaseException:
            if cls.d is not None:
                if cls.d.server is not None:
                    print(cls.d.server.log(), file=sys.stderr)
                cls.d.remove()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.remove()

    @classmethod
    def _set_up(cls):
        cls.d = d = audit_fixture.Deployment(ARGS.server_binary, ARGS.source_dir, "crash")
        cls.witness_dir = os.path.join(d.tmp, "witness")
        os.makedirs(cls.witness_dir)
        d.add_config(f'audit {{ witness_dir: "{cls.witness_dir}" }}\n')
        d.start()
        d.create_department(DEPARTMENT)
        d.enrol("e2e-officer", DEPARTMENT, "key-officer")
        d.enrol("e2e-app", DEPARTMENT, "application")
        d.enrol("e2e-auditor", DEPARTMENT, "auditor")
        d.stub("keys", "e2e-officer").CreateKey(
            d.keys_pb2.CreateKeyRequest(name=f"{DEPARTMENT}/aes",
                                        kind=d.common_pb2.KEY_KIND_AES256_GCM),
            timeout=audit_fixture.RPC_TIMEOUT)
        cls.log_key = d.stub("audit", "e2e-app").GetLogKey(d.audit_pb2.GetLogKeyRequest(),
                                                           timeout=audit_fixture.RPC_TIMEOUT)
        cls.log_pem = d.write("log.pem", cls.log_key.pem)
        cls.origin = cls.log_key.origin

        cls._run_load_and_kill()
        with open(d.checkpoint_file, "rb") as f:
            cls.file_at_crash = vr.newest_checkpoint_in_file(f.read(), cls.log_pem, cls.origin)

        d.start()
        restarted = call(d.stub("audit", "e2e-app").GetLogKey, d.audit_pb2.GetLogKeyRequest())
        cls.log_key_after = restarted.response
        cls.first_index_after_restart = restarted.index
        auditor = d.stub("audit", "e2e-auditor")
        cls.latest = auditor.GetCheckpoint(d.audit_pb2.GetCheckpointRequest(),
                                           timeout=audit_fixture.RPC_TIMEOUT)
        cls.checkpoints = list(auditor.ListCheckpoints(
            d.audit_pb2.ListCheckpointsRequest(), timeout=audit_fixture.RPC_TIMEOUT).checkpoints)
        cls.entries = cls._query_all(auditor)
        cls.leaf_hashes = [vr.leaf_hash(entry) for _, entry in cls.entries]

    @classmethod
    def _run_load_and_kill(cls):
        d = cls.d
        lock = threading.Lock()
        enough = threading.Event()  # KILL_AFTER_RECEIPTS receipts are in, or a thread failed
        killed = threading.Event()
        cls.received = []  # Outcomes with a receipt, from every thread
        cls.failures_before_kill = []
        cls.failures_after_kill = []
        stubs = [d.stub("crypto", "e2e-app") for _ in range(THREADS)]

        def work(thread):
            for i in range(CALLS_PER_THREAD):
                request = d.crypto_pb2.EncryptRequest(
                    key=f"{DEPARTMENT}/aes", plaintext=f"thread {thread} call {i}".encode(),
                    context={"thread": str(thread), "call": str(i)}, purpose=PURPOSE)
                outcome = call(stubs[thread].Encrypt, request, timeout=30)
                with lock:
                    if outcome.code == grpc.StatusCode.OK and outcome.receipt is not None:
                        # Whenever it arrives, a receipt was made by the server before it died.
                        cls.received.append(outcome)
                        if len(cls.received) >= KILL_AFTER_RECEIPTS:
                            enough.set()
                        continue
                    if killed.is_set():
                        cls.failures_after_kill.append(outcome)
                    else:
                        cls.failures_before_kill.append(outcome)
                        enough.set()
                    return

        threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        if not enough.wait(LOAD_TIMEOUT):
            raise AssertionError(f"only {len(cls.received)} receipts after {LOAD_TIMEOUT}s")
        killed.set()
        cls.server_log_before_kill = d.kill()
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
            if thread.is_alive():
                raise AssertionError("a client thread is still calling a killed server")
        d.close_channels()
        if cls.failures_before_kill:
            first = cls.failures_before_kill[0]
            raise AssertionError(f"a call failed before the kill: {first.code} {first.details}")

    @classmethod
    def _query_all(cls, auditor):
        """Every entry, page by page: [(index, entry bytes)]."""
        entries, after = [], None
        while True:
            request = cls.d.audit_pb2.QueryRequest(limit=QUERY_PAGE)
            if after is not None:
                request.after_index = after
            page = auditor.Query(request, timeout=audit_fixture.RPC_TIMEOUT)
            entries += [(e.index, e.entry.encode("utf-8")) for e in page.entries]
            if not page.more:
                return entries
            if not page.entries:
                raise AssertionError("Query says more but returned nothing")
            after = page.entries[-1].index

    # --- the load itself -------------------------------------------------------------------

    def test_the_kill_interrupted_the_load(self):
        self.assertGreaterEqual(len(self.received), KILL_AFTER_RECEIPTS)
        self.assertLess(len(self.received), THREADS * CALLS_PER_THREAD,
                        "every call finished before the kill; nothing was interrupted")
        self.assertTrue(self.failures_after_kill, "no call saw the server die")
        indices = [outcome.index for outcome in self.received]
        self.assertEqual(len(set(indices)), len(indices), "two calls got the same index")

    # --- receipts --------------------------------------------------------------------------

    def test_every_receipt_received_verifies(self):
        for outcome in self.received:
            with self.subTest(index=outcome.index):
                receipt = vr.verify_receipt(outcome.receipt, self.log_pem, self.origin)
                self.assertEqual(receipt.index, outcome.index)
                self.assertEqual(receipt.fields["principal"], "e2e-app")
                self.assertEqual(receipt.fields["operation"], "Encrypt")
                self.assertEqual(receipt.fields["result"], "OK")
                self.assertEqual(receipt.fields["request_digest"], vr.salted_digest_hex(
                    outcome.salt, outcome.request.SerializeToString(deterministic=True)))

    def test_log_key_is_the_same_after_the_restart(self):
        self.assertEqual(self.log_key_after.pem, self.log_key.pem)
        self.assertEqual(self.log_key_after.verifier_key, self.log_key.verifier_key)
        self.assertEqual(self.log_key_after.origin, self.origin)

    # --- the log after the restart ---------------------------------------------------------

    def test_log_has_no_gaps(self):
        indices = [index for index, _ in self.entries]
        self.assertEqual(indices, list(range(len(self.entries))))
        for index, entry in self.entries:
            self.assertEqual(vr.parse_entry(entry, index)["index"], index)
        # The restarted server went on from where the store was: the kill lost no committed
        # entry (every receipt is below the first new index) and reused none.
        self.assertGreater(self.first_index_after_restart,
                           max(outcome.index for outcome in self.received))

    def test_every_receipt_entry_is_at_its_index(self):
        for outcome in self.received:
            with self.subTest(index=outcome.index):
                self.assertLess(outcome.index, len(self.entries))
                self.assertEqual(self.entries[outcome.index][1],
                                 vr.split_receipt(outcome.receipt).entry)

    def test_every_receipt_checkpoint_is_a_listed_checkpoint(self):
        listed = {c.size: c.note for c in self.checkpoints}
        for outcome in self.received:
            note = vr.split_receipt(outcome.receipt).note
            size = vr.parse_checkpoint(vr.split_note(note).text).size
            self.assertEqual(listed.get(size), note, f"receipt {outcome.index}")

    def test_recomputed_tree_has_every_checkpoint_root(self):
        sizes = [c.size for c in self.checkpoints]
        self.assertEqual(sizes, sorted(set(sizes)), "checkpoints in strictly increasing size")
        self.assertLessEqual(sizes[-1], len(self.entries))
        self.assertIn(self.latest.size, sizes)
        for checkpoint in list(self.checkpoints) + [self.latest]:
            with self.subTest(size=checkpoint.size):
                root = vr.merkle_root(self.leaf_hashes[:checkpoint.size])
                self.assertEqual(checkpoint.root_hash, root)
                opened = vr.verify_checkpoint(checkpoint.note, self.log_pem, self.origin)
                self.assertEqual((opened.size, opened.root), (checkpoint.size, root))

    def test_consistency_from_the_earliest_receipt_to_the_latest_checkpoint(self):
        earliest = min(self.received, key=lambda outcome: outcome.index)
        old = vr.parse_checkpoint(vr.split_note(vr.split_receipt(earliest.receipt).note).text)
        new = vr.verify_checkpoint(self.latest.note, self.log_pem, self.origin)
        self.assertLess(old.size, new.size)
        proof = self._consistency_proof(old.size, new.size)
        vr.verify_consistency(old.size, new.size, old.root, new.root, proof)
        # The proof is worth something: a changed hash, another old root, or a dropped hash
        # fails.
        self.assertTrue(proof)
        for position in range(len(proof)):
            altered = list(proof)
            altered[position] = bytes([proof[position][0] ^ 1]) + proof[position][1:]
            with self.assertRaises(vr.ReceiptError):
                vr.verify_consistency(old.size, new.size, old.root, new.root, altered)
        with self.assertRaises(vr.ReceiptError):
            vr.verify_consistency(old.size, new.size, vr.leaf_hash(b"forged"), new.root, proof)
        with self.assertRaises(vr.ReceiptError):
            vr.verify_consistency(old.size, new.size, old.root, new.root, proof[:-1])

    def test_consistency_from_every_receipt_checkpoint_across_the_crash(self):
        new = vr.parse_checkpoint(vr.split_note(self.latest.note).text)
        old_checkpoints = {}
        for outcome in self.received:
            checkpoint = vr.parse_checkpoint(
                vr.split_note(vr.split_receipt(outcome.receipt).note).text)
            old_checkpoints[checkpoint.size] = checkpoint.root
        for size, root in sorted(old_checkpoints.items()):
            with self.subTest(old_size=size):
                vr.verify_consistency(size, new.size, root, new.root,
                                      self._consistency_proof(size, new.size))

    def _consistency_proof(self, old_size, new_size):
        response = self.d.stub("audit", "e2e-app").GetConsistencyProof(
            self.d.audit_pb2.GetConsistencyProofRequest(old_size=old_size, new_size=new_size),
            timeout=audit_fixture.RPC_TIMEOUT)
        self.assertEqual((response.old_size, response.new_size), (old_size, new_size))
        return list(response.hashes)

    # --- what is kept outside the store ----------------------------------------------------

    def test_checkpoint_file_at_the_crash_is_signed_and_covers_every_receipt(self):
        at_crash = vr.verify_checkpoint(self.file_at_crash, self.log_pem, self.origin)
        self.assertEqual(at_crash.root, vr.merkle_root(self.leaf_hashes[:at_crash.size]))
        # A call is answered only after its checkpoint reached the file.
        newest_receipt = max(vr.parse_checkpoint(vr.split_note(
            vr.split_receipt(outcome.receipt).note).text).size for outcome in self.received)
        self.assertGreaterEqual(at_crash.size, newest_receipt)
        # The store may be one commit ahead of the file, never behind it.
        self.assertLessEqual(at_crash.size, self.first_index_after_restart)

    def test_witness_directory_holds_the_signed_checkpoints(self):
        listed = {c.size: c.note for c in self.checkpoints}
        witnessed = {}
        for name in os.listdir(self.witness_dir):
            if name.startswith("."):
                # A copy the kill cut short leaves its hidden temporary file (receipts.md).
                self.assertRegex(name, r"^\.[1-9][0-9]*\.checkpoint\.tmp-[A-Za-z0-9]{6}$")
                continue
            self.assertRegex(name, r"^[1-9][0-9]*\.checkpoint$")
            with open(os.path.join(self.witness_dir, name), encoding="utf-8") as f:
                witnessed[int(name.split(".")[0])] = f.read()
        for size, note in witnessed.items():
            if size in listed:
                self.assertEqual(note, listed[size], f"witness copy of checkpoint {size}")
            else:
                # Signed after ListCheckpoints ran (other tests' calls included).
                self.assertGreater(size, max(listed))
                opened = vr.verify_checkpoint(note, self.log_pem, self.origin)
                if size <= len(self.leaf_hashes):
                    self.assertEqual(opened.root, vr.merkle_root(self.leaf_hashes[:size]))
        # A crash between a commit and its copy can lose the copies of at most the checkpoint
        # being published and the one being committed, both at or after the file's.
        at_crash = vr.parse_checkpoint(vr.split_note(self.file_at_crash).text).size
        missing = sorted(set(listed) - set(witnessed))
        self.assertLessEqual(len(missing), 2, missing)
        for size in missing:
            self.assertGreaterEqual(size, at_crash)
            self.assertLessEqual(size, self.first_index_after_restart)

    # --- rollback (runs last) --------------------------------------------------------------

    def test_zz_store_restored_from_an_older_copy_is_refused(self):
        d = self.d
        code, log = d.stop()
        self.assertEqual(code, 0, log)
        backup = os.path.join(d.tmp, "older-store")
        os.makedirs(backup)
        _copy_store(d.store_path, backup)
        d.start()
        newer = call(d.stub("crypto", "e2e-app").Encrypt, d.crypto_pb2.EncryptRequest(
            key=f"{DEPARTMENT}/aes", plaintext=b"after the backup", purpose=PURPOSE))
        self.assertEqual(newer.code, grpc.StatusCode.OK, newer.details)
        code, log = d.stop()
        self.assertEqual(code, 0, log)
        newest = os.path.join(d.tmp, "newer-store")
        os.makedirs(newest)
        _copy_store(d.store_path, newest)

        _restore_store(backup, d.store_path)
        with self.assertRaises(RuntimeError) as refused:
            d.start()
        # The message names both sizes: the store's and the checkpoint file's.
        self.assertIn("rolled back or truncated", str(refused.exception))
        self.assertRegex(str(refused.exception),
                         rf"\b{newer.index}\b.*\b{newer.index + 1}\b")
        d.server.kill()  # already exited; closes its output
        d.server = None

        # The newer store is accepted again, and the receipt from before still verifies.
        _restore_store(newest, d.store_path)
        d.start()
        vr.verify_receipt(newer.receipt, self.log_pem, self.origin)
        again = call(d.stub("crypto", "e2e-app").Encrypt, d.crypto_pb2.EncryptRequest(
            key=f"{DEPARTMENT}/aes", plaintext=b"after the refusal", purpose=PURPOSE))
        self.assertEqual(again.code, grpc.StatusCode.OK, again.details)
        self.assertEqual(again.index, newer.index + 1)


_STORE_SUFFIXES = ("", "-wal", "-shm")


def _copy_store(store_path, directory):
    """Copies the SQLite file and its WAL files (if any) of a stopped server."""
    for suffix in _STORE_SUFFIXES:
        if os.path.exists(store_path + suffix):
            shutil.copy2(store_path + suffix, os.path.join(directory, "store" + suffix))


def _restore_store(directory, store_path):
    for suffix in _STORE_SUFFIXES:
        if os.path.exists(store_path + suffix):
            os.remove(store_path + suffix)
        saved = os.path.join(directory, "store" + suffix)
        if os.path.exists(saved):
            shutil.copy2(saved, store_path + suffix)


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
