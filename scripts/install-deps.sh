#!/usr/bin/env bash
# Installs the Debian 12 packages Yinjian needs to build, test, benchmark and run.
# Idempotent: when every package is already installed it does nothing and prints nothing, so
# `make test` can call it every time without touching the network.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # gRPC, Protobuf, Abseil
  libgrpc++-dev libgrpc-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libabsl-dev
  # crypto and the HSM
  libssl-dev openssl softhsm2 p11-kit libp11-kit-dev
  # Shamir secret sharing of backup keys (R12)
  libgfshare-dev
  # storage
  libsqlite3-dev sqlite3
  # tests, CLI, benchmarks
  libgtest-dev libgmock-dev googletest libcli11-dev libbenchmark-dev
  # scripts and test clients (softhsm-setup uses python3-pykcs11)
  python3 python3-grpcio python3-grpc-tools python3-protobuf python3-cryptography python3-pykcs11
  ca-certificates
)

# Prints the packages that are not fully installed ("ii"). Unknown packages are missing too.
missing_packages() {
  local status
  status="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)"
  local p
  for p in "${packages[@]}"; do
    # dpkg-query reports multi-arch packages as name:arch on some systems; match either form.
    if ! grep -Eq "^${p//+/\\+}(:[a-z0-9]+)? ii" <<<"${status}"; then
      echo "${p}"
    fi
  done
}

missing="$(missing_packages)"
if [[ -z "${missing}" ]]; then
  exit 0
fi

echo "install-deps: installing missing packages:" ${missing} >&2

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: not root and sudo is not available; install these as root:" >&2
    echo "  apt-get install --no-install-recommends ${packages[*]}" >&2
    exit 1
  fi
fi

"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${packages[@]}"

missing="$(missing_packages)"
if [[ -n "${missing}" ]]; then
  echo "install-deps: still missing after apt-get install:" ${missing} >&2
  exit 1
fi
