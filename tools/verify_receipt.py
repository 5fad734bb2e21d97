#!/usr/bin/env python3
"""Verifies a Yinjian audit receipt offline, with the Python standard library and the openssl
command line only (docs/receipts.md).

  verify_receipt.py RECEIPT --log-key log.pem [--origin ORIGIN] [--out DIR]

RECEIPT is the receipt text (the `yinjian-receipt-bin` trailer or GetReceipt's text; "-" reads
standard input); log.pem is the log's public key (AuditService.GetLogKey). Exit status 0 if the
receipt is valid, 1 (with the reason on standard error) if it is not, 2 for bad usage. With
--out the checked pieces stay in DIR (entry.json, note.txt, sig.der, log.spki.der) so the
signature check can be repeated by hand with the openssl command the script prints.

What "valid" means: the entry on the receipt's extra line is leaf INDEX of the log's Merkle tree
(RFC 6962 hashing, RFC 9162 2.1.3.2 verification) whose size and root hash are in a checkpoint
signed by the log key (C2SP signed note, ECDSA P-256 signature type 0x02), of the log ORIGIN.

Importable: split_receipt, split_note, parse_checkpoint, parse_entry, leaf_hash, node_hash,
merkle_root, root_from_inclusion_proof, verify_inclusion, verify_consistency, spki_der, key_id,
openssl_verify_command, openssl_verify, salted_digest_hex, verify_checkpoint,
checkpoint_file_notes, newest_checkpoint_in_file and verify_receipt. Every check raises ReceiptError with the reason.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
SIGNATURE_PREFIX = "\u2014 "  # EM DASH and a space start every signature line
ECDSA_P256_KEY_ID_BYTES = 4
HASH_SIZE = 32
MAX_PROOF_HASHES = 64
ENTRY_FORMAT_VERSION = 1
_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")


class ReceiptError(Exception):
    """A receipt, checkpoint, note or proof that does not verify; str() says why."""


@dataclass
class Receipt:
    """The parts of a C2SP tlog-proof text."""
    entry: bytes
    index: int
    proof: list
    note: str  # the signed checkpoint, verbatim


@dataclass
class Signature:
    key_name: str
    key_id: bytes  # 4 bytes
    signature: bytes  # what follows the key ID: a DER ECDSA signature for type 0x02


@dataclass
class Note:
    text: str  # what the signatures sign, final newline included
    signatures: list = field(default_factory=list)


@dataclass
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: list = field(default_factory=list)


@dataclass
class VerifiedReceipt:
    index: int
    entry: bytes
    checkpoint: Checkpoint
    fields: dict  # the entry, parsed


# --- parsing -----------------------------------------------------------------------------------


def _b64(text, what):
    """Canonical padded base64 (RFC 4648 section 4) of `text`, else ReceiptError."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ReceiptError(f"{what} is not base64: {error}") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise ReceiptError(f"{what} is not canonical base64")
    return data


def _decimal(text, what):
    if not _DECIMAL.match(text):
        raise ReceiptError(f"{what} is not a decimal without leading zeroes: {text!r}")
    value = int(text)
    if value >= 1 << 64:
        raise ReceiptError(f"{what} does not fit 64 bits")
    return value


def split_receipt(text):
    """Splits tlog-proof text (str or bytes) into a Receipt: the entry (extra line), the index,
    the inclusion proof and the signed checkpoint. Checks the form, no hash and no signature."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ReceiptError("the receipt is not UTF-8 text") from None
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise ReceiptError("the receipt has no empty line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise ReceiptError(f"the receipt does not start with {TLOG_PROOF_HEADER!r}")
    if len(lines) < 3 or not lines[1].startswith("extra "):
        raise ReceiptError("the receipt has no extra line (the entry)")
    entry = _b64(lines[1][len("extra "):], "the extra line")
    if not lines[2].startswith("index "):
        raise ReceiptError("the receipt has no index line")
    index = _decimal(lines[2][len("index "):], "the index")
    proof = []
    for number, line in enumerate(lines[3:], start=1):
        digest = _b64(line, f"proof hash {number}")
        if len(digest) != HASH_SIZE:
            raise ReceiptError(f"proof hash {number} is {len(digest)} bytes, not {HASH_SIZE}")
        proof.append(digest)
    if len(proof) > MAX_PROOF_HASHES:
        raise ReceiptError(f"the proof has more than {MAX_PROOF_HASHES} hashes")
    return Receipt(entry=entry, index=index, proof=proof, note=note)


def split_note(note):
    """Splits a C2SP signed note at its last empty line into text and signature lines."""
    if not note.endswith("\n"):
        raise ReceiptError("the signed note does not end in a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in note) or "\x7f" in note:
        raise ReceiptError("the signed note contains control characters")
    at = note.rfind("\n\n")
    if at <= 0:
        raise ReceiptError("the signed note has no text or no empty line before its signatures")
    text, lines = note[:at + 1], note[at + 2:].split("\n")[:-1]
    if not lines:
        raise ReceiptError("the signed note has no signature line")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise ReceiptError(f"not a signature line: {line!r}")
        name, space, encoded = line[len(SIGNATURE_PREFIX):].partition(" ")
        if not space or not name or "+" in name or " " in encoded:
            raise ReceiptError(f"malformed signature line: {line!r}")
        blob = _b64(encoded, "a signature")
        if len(blob) <= ECDSA_P256_KEY_ID_BYTES:
            raise ReceiptError("a signature line is too short to hold a key ID and a signature")
        signatures.append(Signature(key_name=name, key_id=blob[:ECDSA_P256_KEY_ID_BYTES],
                                    signature=blob[ECDSA_P256_KEY_ID_BYTES:]))
    return Note(text=text, signatures=signatures)


def parse_checkpoint(body):
    """Parses a checkpoint body (the note text): origin, size, root hash, extension lines."""
    if not body.endswith("\n"):
        raise ReceiptError("the checkpoint does not end in a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise ReceiptError("the checkpoint needs three or more non-empty lines")
    root = _b64(lines[2], "the checkpoint's root hash")
    if len(root) != HASH_SIZE:
        raise ReceiptError(f"the checkpoint's root hash is {len(root)} bytes, not {HASH_SIZE}")
    return Checkpoint(origin=lines[0], size=_decimal(lines[1], "the checkpoint's size"),
                      root=root, extensions=lines[3:])


# --- Merkle tree (RFC 6962 2.1 hashing, RFC 9162 2.1.3.2 and 2.1.4.2 verification) ------------


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaf_hashes):
    """MTH over already leaf-hashed entries (RFC 6962 2.1); SHA-256("") for none. O(n)."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    level = list(leaf_hashes)
    while len(level) > 1:
        # Pairing left to right and carrying an odd last node up unchanged builds exactly the
        # RFC's tree (k the largest power of two below n), bottom up.
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_from_inclusion_proof(index, size, hashed_leaf, proof):
    """The root that `proof` leads to from leaf `index` of a tree of `size` (RFC 9162 2.1.3.2,
    steps 1-4 and the sn check of step 5)."""
    if index >= size:
        raise ReceiptError(f"index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            raise ReceiptError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ReceiptError("the inclusion proof is too short")
    return r


def verify_inclusion(index, size, hashed_leaf, proof, root):
    """Raises ReceiptError unless `proof` shows `hashed_leaf` is leaf `index` of the tree of
    `size` leaves with `root`."""
    if root_from_inclusion_proof(index, size, hashed_leaf, proof) != root:
        raise ReceiptError("the inclusion proof does not lead from the entry to the "
                           "checkpoint's root")


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """Raises ReceiptError unless `proof` shows the tree of `new_size` leaves with `new_root`
    extends the tree of `old_size` leaves with `old_root` (RFC 9162 2.1.4.2). As the server's
    VerifyConsistency: equal sizes need equal roots and an empty proof, and an empty old tree
    needs the empty root and an empty proof."""
    if new_size < old_size:
        raise ReceiptError(f"the new tree ({new_size}) is smaller than the old ({old_size})")
    if old_size == new_size:
        if proof:
            raise ReceiptError("a proof between trees of equal size must be empty")
        if old_root != new_root:
            raise ReceiptError(f"two trees of size {old_size} have different roots (a fork)")
        return
    if old_size == 0:
        if proof:
            raise ReceiptError("a proof from the empty tree must be empty")
        if old_root != hashlib.sha256(b"").digest():
            raise ReceiptError("the old root is not the empty tree's root")
        return
    # Step 1.
    if not proof:
        raise ReceiptError("the consistency proof is empty")
    path = list(proof)
    # Step 2.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3-4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise ReceiptError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ReceiptError("the consistency proof is too short")
    if fr != old_root:
        raise ReceiptError("the consistency proof does not lead to the old root")
    if sr != new_root:
        raise ReceiptError("the consistency proof does not lead to the new root")


# --- keys and signatures -------------------------------------------------------------------------


def _openssl(argv):
    try:
        return subprocess.run(["openssl"] + argv, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise ReceiptError("the openssl command line is not installed") from None


def spki_der(pem_path):
    """The SubjectPublicKeyInfo DER of the public key in `pem_path`, as
    `openssl pkey -pubin -in PEM -outform DER` prints it."""
    result = _openssl(["pkey", "-pubin", "-in", pem_path, "-outform", "DER"])
    if result.returncode != 0 or not result.stdout:
        raise ReceiptError(f"openssl cannot read the public key {pem_path}: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def key_id(spki):
    """The signed-note key ID of an ECDSA key (type 0x02): SHA-256(SPKI DER)[0:4]."""
    return hashlib.sha256(spki).digest()[:ECDSA_P256_KEY_ID_BYTES]


def openssl_verify_command(pem_path, signature_path, text_path):
    """The command that checks an ECDSA P-256 note signature, as docs/receipts.md gives it."""
    return ["openssl", "dgst", "-sha256", "-verify", pem_path, "-signature", signature_path,
            text_path]


def openssl_verify(pem_path, signature_path, text_path):
    """Runs openssl_verify_command; raises ReceiptError unless openssl prints "Verified OK"."""
    result = _openssl(openssl_verify_command(pem_path, signature_path, text_path)[1:])
    output = (result.stdout + result.stderr).decode(errors="replace").strip()
    if result.returncode != 0 or "Verified OK" not in output:
        raise ReceiptError(f"the log key's signature on the checkpoint does not verify "
                           f"(openssl: {output.splitlines()[0] if output else result.returncode})")


def salted_digest_hex(salt, payload):
    """An entry's request_digest / response_digest: lowercase hex SHA-256(salt || payload)."""
    return hashlib.sha256(salt + payload).hexdigest()


# --- the whole receipt ---------------------------------------------------------------------------


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _signature_by(note, key_name, wanted_id):
    """The one signature line of the log key: key name and key ID both match (others, e.g. a
    witness's cosignature, are ignored as the signed-note spec says)."""
    mine = [s for s in note.signatures if s.key_id == wanted_id and s.key_name == key_name]
    if not mine:
        found = ", ".join(f"{s.key_name} {s.key_id.hex()}" for s in note.signatures)
        raise ReceiptError(f"the checkpoint has no signature by the log key {key_name} "
                           f"{wanted_id.hex()} (it has: {found})")
    if len(mine) > 1:
        raise ReceiptError("the checkpoint has two signature lines of the log key")
    return mine[0]


def parse_entry(entry, index):
    """The entry as a dict; ReceiptError unless it is a Yinjian entry (format version 1) that
    names `index` as its own."""
    try:
        fields = json.loads(entry.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ReceiptError(f"the entry is not JSON: {error}") from None
    if not isinstance(fields, dict) or fields.get("v") != ENTRY_FORMAT_VERSION:
        raise ReceiptError(f"the entry is not a version {ENTRY_FORMAT_VERSION} Yinjian entry")
    if fields.get("index") != index:
        raise ReceiptError(f"the entry says index {fields.get('index')}, the receipt {index}")
    return fields


def verify_checkpoint(signed_note, log_key_pem, origin=None, out_dir=None):
    """Opens a signed checkpoint (str): the log key's signature line must verify over the note
    text, and the origin must be `origin` (None: any, but the key name must equal it). Leaves
    note.txt, sig.der and log.spki.der in `out_dir` (None: a temporary directory). Returns the
    Checkpoint; raises ReceiptError saying why not."""
    note = split_note(signed_note)
    checkpoint = parse_checkpoint(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise ReceiptError(f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}")
    # (c) The signature line of the log key (key ID = SHA-256(SPKI DER)[0:4]).
    spki = spki_der(log_key_pem)
    signature = _signature_by(note, checkpoint.origin, key_id(spki))
    with tempfile.TemporaryDirectory(prefix="yinjian-checkpoint-") as scratch:
        directory = out_dir if out_dir is not None else scratch
        os.makedirs(directory, exist_ok=True)
        paths = {name: os.path.join(directory, name)
                 for name in ("note.txt", "sig.der", "log.spki.der")}
        _write(paths["note.txt"], note.text.encode("utf-8"))
        _write(paths["sig.der"], signature.signature)
        _write(paths["log.spki.der"], spki)
        # (d) openssl checks the ECDSA signature over SHA-256 of the note text.
        openssl_verify(log_key_pem, paths["sig.der"], paths["note.txt"])
    return checkpoint


CHECKPOINT_SLOT_SIZE = 4096


def checkpoint_file_notes(data):
    """The signed notes a server's checkpoint file (`audit.checkpoint_file`, as bytes) holds.
    The file has two slots of CHECKPOINT_SLOT_SIZE bytes, each a signed note padded with NUL
    bytes, or only NUL bytes while unused; the newest checkpoint is the valid one of the larger
    size. A file of any other size is the single note that versions before 2026-11-22 wrote."""
    if len(data) != 2 * CHECKPOINT_SLOT_SIZE:
        return [data.decode("utf-8", errors="replace")]
    notes = []
    for start in (0, CHECKPOINT_SLOT_SIZE):
        note = data[start:start + CHECKPOINT_SLOT_SIZE].split(b"\0", 1)[0]
        if note:
            notes.append(note.decode("utf-8", errors="replace"))
    return notes


def newest_checkpoint_in_file(data, log_key_pem, origin=None):
    """The newest note of a checkpoint file (bytes) that verify_checkpoint accepts, as text.
    Raises ReceiptError if none does."""
    newest, newest_size, reasons = None, -1, []
    for note in checkpoint_file_notes(data):
        try:
            checkpoint = verify_checkpoint(note, log_key_pem, origin)
        except ReceiptError as error:
            reasons.append(str(error))
            continue
        if checkpoint.size > newest_size:
            newest, newest_size = note, checkpoint.size
    if newest is None:
        raise ReceiptError("the checkpoint file holds no valid checkpoint: "
                           + ("; ".join(reasons) or "it is empty"))
    return newest


def verify_receipt(text, log_key_pem, origin=None, out_dir=None):
    """Verifies receipt `text` (str or bytes) against the log's public key (a PEM file path).
    `origin`: the log's origin; None accepts the checkpoint's own (whose key name must then
    match it). `out_dir`: where to leave entry.json, note.txt, sig.der and log.spki.der; None
    uses a temporary directory. Returns a VerifiedReceipt; raises ReceiptError saying why not."""
    # (a) Split the receipt.
    receipt = split_receipt(text)
    checkpoint = parse_checkpoint(split_note(receipt.note).text)
    if origin is not None and checkpoint.origin != origin:
        raise ReceiptError(f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}")
    fields = parse_entry(receipt.entry, receipt.index)
    # (b) The entry's leaf hash, walked up the inclusion proof, must give the signed root.
    if receipt.index >= checkpoint.size:
        raise ReceiptError(f"index {receipt.index} is not below the checkpoint's size "
                           f"{checkpoint.size}")
    verify_inclusion(receipt.index, checkpoint.size, leaf_hash(receipt.entry), receipt.proof,
                     checkpoint.root)
    # (c) and (d): the checkpoint is signed by the log key.
    verify_checkpoint(receipt.note, log_key_pem, origin, out_dir)
    if out_dir is not None:
        _write(os.path.join(out_dir, "entry.json"), receipt.entry)
    return VerifiedReceipt(index=receipt.index, entry=receipt.entry, checkpoint=checkpoint,
                           fields=fields)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("receipt", help="the receipt text file, or - for standard input")
    parser.add_argument("--log-key", required=True, help="the log's public key, PEM")
    parser.add_argument("--origin", help="the log's origin (GetLogKey's origin)")
    parser.add_argument("--out", help="keep entry.json, note.txt, sig.der, log.spki.der here")
    args = parser.parse_args(argv)
    try:
        if args.receipt == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.receipt, "rb") as f:
                text = f.read()
        verified = verify_receipt(text, args.log_key, args.origin, args.out)
    except (ReceiptError, OSError) as error:
        print(f"INVALID: {error}", file=sys.stderr)
        return 1
    checkpoint = verified.checkpoint
    print(f"OK: entry {verified.index} of {checkpoint.origin} at tree size {checkpoint.size}, "
          f"root {checkpoint.root.hex()}")
    print(verified.entry.decode("utf-8"))
    if args.out:
        command = openssl_verify_command(args.log_key, os.path.join(args.out, "sig.der"),
                                         os.path.join(args.out, "note.txt"))
        print("repeat the signature check with: " + " ".join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
