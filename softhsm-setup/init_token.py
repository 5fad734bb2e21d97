#!/usr/bin/python3
"""Initialises one PKCS#11 token by label, reading PINs only from files.

Used by create-token.sh; run it with /usr/bin/python3 (Debian's python3-pykcs11). The PKCS#11
configuration (SOFTHSM2_CONF for SoftHSM) comes from the environment.

Why PKCS#11 and not `softhsm2-util --init-token`: softhsm2-util takes PINs only on its command
line (visible to every user in /proc/*/cmdline) or from a terminal, never from a pipe.

Steps, each skipped when already done, so the script is idempotent:
  1. If a token with the label exists and its user PIN is initialised: nothing to do (exit 0).
  2. Generate missing PIN files (16 hex characters, mode 0600, created exclusively).
  3. C_InitToken on a free (uninitialised) slot with the SO PIN and the label.
  4. Re-initialise the library (SoftHSM gives the new token a new slot id), find the token by
     label, open an RW session, log in as SO and C_InitPIN with the user PIN.

Exit status: 0 on success or when the token already exists, 1 on any error (message on stderr).
PINs never appear in argv, in messages or in exceptions printed by this script.
"""

import argparse
import os
import secrets
import sys

import PyKCS11
from PyKCS11 import LowLevel

LABEL_LEN = 32  # CK_TOKEN_INFO.label is 32 bytes, blank padded.


def log(message):
    print(f"init_token: {message}", file=sys.stderr)


class SetupError(Exception):
    pass


def check(rv, what):
    if rv != PyKCS11.CKR_OK:
        raise SetupError(f"{what} failed: {PyKCS11.CKR.get(rv, hex(rv))}")


def read_pin(path):
    """Returns the PIN in `path` (bytes) without its trailing newline, as hsm/pin.cc reads it.

    Like the server, refuses a file that users other than its owner could read.
    """
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_mode & 0o077:
                raise SetupError(f"PIN file {path} is accessible by other users: chmod 600 it")
            pin = f.read()
        pin = pin.removesuffix(b"\n").removesuffix(b"\r")
    except OSError as e:
        raise SetupError(f"cannot read PIN file {path}: {e.strerror}") from None
    if not pin:
        raise SetupError(f"PIN file {path} is empty")
    return pin


def ensure_pin_file(path):
    """Creates `path` with a random 16-hex-character PIN (mode 0600) unless it exists."""
    if os.path.exists(path):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(8))
    log(f"generated PIN file {path}")


class Module:
    """A loaded PKCS#11 module that can be re-initialised to refresh its slot list."""

    def __init__(self, path):
        self.path = path
        self.pkcs11 = PyKCS11.PyKCS11Lib()
        try:
            self.pkcs11.load(path)
        except PyKCS11.PyKCS11Error as e:
            raise SetupError(f"cannot load PKCS#11 module {path}: {e}") from None

    def reinitialize(self):
        # SoftHSM reads the token directory and numbers slots only in C_Initialize.
        check(self.pkcs11.lib.C_Finalize(), "C_Finalize")
        check(self.pkcs11.lib.C_Initialize(), "C_Initialize")

    def tokens(self):
        """Yields (slot, CK_TOKEN_INFO) for every slot with a token present."""
        for slot in self.pkcs11.getSlotList(tokenPresent=True):
            yield slot, self.pkcs11.getTokenInfo(slot)

    def find_token(self, label):
        """Returns (slot, info) of the initialised token labelled `label`, or (None, None)."""
        found = [(s, t) for s, t in self.tokens()
                 if t.flags & PyKCS11.CKF_TOKEN_INITIALIZED and t.label.strip() == label]
        if len(found) > 1:
            raise SetupError(f"{len(found)} tokens are labelled {label!r}")
        return found[0] if found else (None, None)

    def free_slot(self):
        for slot, info in self.tokens():
            if not info.flags & PyKCS11.CKF_TOKEN_INITIALIZED:
                return slot
        raise SetupError("no slot with an uninitialised token is available")


def init_user_pin(module, slot, so_pin, user_pin):
    session = module.pkcs11.openSession(slot, PyKCS11.CKF_RW_SESSION)
    try:
        session.login(so_pin, PyKCS11.CKU_SO)  # PINs as bytes, passed through unchanged
        try:
            session.initPin(user_pin)
        finally:
            session.logout()
    finally:
        session.closeSession()


def setup_token(module_path, label, pin_file, so_pin_file):
    module = Module(module_path)
    slot, info = module.find_token(label)
    if slot is not None and info.flags & PyKCS11.CKF_USER_PIN_INITIALIZED:
        log(f"token {label!r} already exists; nothing to do")
        if not os.path.exists(pin_file):
            raise SetupError(f"token {label!r} exists but its PIN file {pin_file} is missing")
        return

    if slot is None:
        ensure_pin_file(so_pin_file)
        ensure_pin_file(pin_file)
        so_pin = read_pin(so_pin_file)
        user_pin = read_pin(pin_file)
        free = module.free_slot()
        padded = label.encode("utf-8").ljust(LABEL_LEN, b" ").decode("utf-8")
        check(module.pkcs11.lib.C_InitToken(free, PyKCS11.ckbytelist(so_pin), padded),
              "C_InitToken")
        log(f"initialised token {label!r}")
        module.reinitialize()
        slot, _ = module.find_token(label)
        if slot is None:
            raise SetupError(f"token {label!r} not found after C_InitToken")
    else:
        # A previous run stopped between C_InitToken and C_InitPIN: finish it.
        log(f"token {label!r} exists without a user PIN; setting it")
        ensure_pin_file(pin_file)
        so_pin = read_pin(so_pin_file)
        user_pin = read_pin(pin_file)

    init_user_pin(module, slot, so_pin, user_pin)
    log(f"set the user PIN of token {label!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", required=True, help="PKCS#11 module path")
    parser.add_argument("--label", required=True, help="token label (at most 32 bytes)")
    parser.add_argument("--pin-file", required=True, help="user PIN file (created if missing)")
    parser.add_argument("--so-pin-file", required=True, help="SO PIN file (created if missing)")
    args = parser.parse_args()

    if not args.label or len(args.label.encode("utf-8")) > LABEL_LEN:
        log(f"the label must be 1 to {LABEL_LEN} bytes")
        return 1
    try:
        setup_token(args.module, args.label, args.pin_file, args.so_pin_file)
    except SetupError as e:
        log(str(e))
        return 1
    except PyKCS11.PyKCS11Error as e:
        # PyKCS11Error carries only a return code, never a PIN.
        log(f"PKCS#11 error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
