"""Runs a real Yinjian server for end-to-end tests: a fresh SoftHSM token, `yinjian-server init`,
Python stubs generated from the repository's protos, and the server process itself.

Everything lives in one temporary directory that the caller owns and removes. Every wait is
bounded by a deadline on a real condition (a line of output, a process exit), never a sleep.
"""

import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

PROTOS = [
    "yinjian/v1/access.proto",
    "yinjian/v1/audit.proto",
    "yinjian/v1/common.proto",
    "yinjian/v1/config.proto",
    "yinjian/v1/crypto.proto",
    "yinjian/v1/keys.proto",
]

# The standard health service, for when grpc_health is not installed (Debian's python3-grpcio
# lacks it). The file name keeps the generated module from shadowing the `grpc` package.
HEALTH_PROTO_NAME = "yinjian_e2e_health.proto"
HEALTH_PROTO = """\
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
"""

_EXPORT_LINE = re.compile(r"^export ([A-Z_][A-Z0-9_]*)=(.*)$")
_READY_LINE = re.compile(r"^ready: listening on port (\d+) ")


def run_checked(argv, env=None, timeout=120):
    """Runs argv to completion and returns its stdout; raises with its output if it fails."""
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(argv)} exited with {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result.stdout


def create_token(source_dir, softhsm_dir, label):
    """Creates a SoftHSM token with softhsm-setup/create-token.sh and returns its environment
    (the `export NAME='value'` lines it prints) as a dict."""
    script = os.path.join(source_dir, "softhsm-setup", "create-token.sh")
    out = run_checked([script, "--dir", softhsm_dir, "--label", label])
    exports = {}
    for line in out.splitlines():
        match = _EXPORT_LINE.match(line.strip())
        if match:
            # Values are shell-quoted ('value', with ' as '\''); shlex undoes exactly that.
            (value,) = shlex.split(match.group(2))
            exports[match.group(1)] = value
    for name in ("SOFTHSM2_CONF", "YINJIAN_PKCS11_MODULE", "YINJIAN_TOKEN_LABEL",
                 "YINJIAN_PIN_FILE"):
        if name not in exports:
            raise RuntimeError(f"create-token.sh printed no {name}:\n{out}")
    return exports


def _protoc_command():
    """protoc with the gRPC Python plugin. The system's protoc and grpc_python_plugin (Debian's
    protobuf-compiler and protobuf-compiler-grpc, which the C++ build needs anyway) come first:
    Debian's python3-grpc-tools bundles protoc 3.5, which rejects proto3 `optional`
    (audit.proto's QueryRequest.after_index)."""
    protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
    if protoc and plugin:
        return [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
    return [sys.executable, "-m", "grpc_tools.protoc"]


def generate_stubs(source_dir, out_dir):
    """Generates Python message and gRPC modules for the repository's protos (and the health
    proto) into out_dir, and puts out_dir first on sys.path."""
    os.makedirs(out_dir, exist_ok=True)
    proto_root = os.path.join(source_dir, "proto")
    protoc = _protoc_command()
    run_checked(protoc + [f"-I{proto_root}", "-I/usr/include", f"--python_out={out_dir}",
                          f"--grpc_python_out={out_dir}"] +
                [os.path.join(proto_root, p) for p in PROTOS])
    health_dir = os.path.join(out_dir, "health_proto")
    os.makedirs(health_dir, exist_ok=True)
    with open(os.path.join(health_dir, HEALTH_PROTO_NAME), "w", encoding="utf-8") as f:
        f.write(HEALTH_PROTO)
    run_checked(protoc + [f"-I{health_dir}", f"--python_out={out_dir}",
                          f"--grpc_python_out={out_dir}",
                          os.path.join(health_dir, HEALTH_PROTO_NAME)])
    sys.path.insert(0, out_dir)


class ServerProcess:
    """One run of `yinjian-server --config FILE`. A reader thread drains its output (stdout and
    stderr merged) for its whole life, so the server never blocks on a full pipe."""

    def __init__(self, binary, config_path, env):
        self._argv = [binary, "--config", config_path]
        self._env = env
        self._process = None
        self._reader = None
        self._lines = queue.Queue()
        self._log = []

    def start(self, timeout):
        """Starts the server and returns its port once it prints the ready line; raises (after
        killing it) if it exits or stays silent past the deadline."""
        self._process = subprocess.Popen(self._argv, env=self._env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                code = self._process.wait(timeout=10)
                raise RuntimeError(f"server exited with {code} before ready:\n{self.log()}")
            match = _READY_LINE.match(line)
            if match:
                return int(match.group(1))

    def stop(self, timeout):
        """Sends SIGTERM and returns the exit code; kills the server if it outlives timeout."""
        if self._process is None or self._process.poll() is not None:
            return None if self._process is None else self._process.returncode
        self._process.terminate()
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"server ignored SIGTERM for {timeout}s:\n{self.log()}")
        finally:
            self._close_output()

    def kill(self):
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._close_output()

    def _close_output(self):
        # The server has exited, so its end of the pipe is closed and the reader sees EOF; a
        # child it started could hold the pipe open, hence the bound.
        if self._reader is not None:
            self._reader.join(timeout=10)
            if not self._reader.is_alive():
                self._process.stdout.close()

    def log(self):
        return "".join(self._log)

    def _drain(self):
        for line in self._process.stdout:
            self._log.append(line)
            self._lines.put(line)
        self._lines.put(None)
