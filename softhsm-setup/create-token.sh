#!/usr/bin/env bash
# Creates a SoftHSM2 configuration in DIR and an initialised token labelled LABEL, then prints
# the environment to use it as `export` lines on stdout:
#
#   eval "$(softhsm-setup/create-token.sh --dir data/softhsm --label yinjian-dev)"
#
# Idempotent: an existing configuration is kept and an existing token is left alone. Call it
# again with another label and the same DIR to add a second token. PIN files that do not exist
# are generated (16 random hex characters, mode 0600): DIR/LABEL.pin and DIR/LABEL.so-pin by
# default. PINs are passed only through files, never on a command line.
#
# Progress messages go to stderr. Environment: YINJIAN_PKCS11_MODULE overrides the module path.
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
usage: create-token.sh --dir DIR --label LABEL [--pin-file FILE] [--so-pin-file FILE]

  --dir DIR           directory for softhsm2.conf, tokens/ and PIN files (created if missing)
  --label LABEL       token label: letters, digits, '.', '_', '-'; at most 32 characters
  --pin-file FILE     user PIN file (default DIR/LABEL.pin; generated if missing)
  --so-pin-file FILE  security officer PIN file (default DIR/LABEL.so-pin; generated if missing)
USAGE
}

die() {
  echo "create-token: $*" >&2
  exit 1
}

# Quotes a value for a POSIX shell: 'value' with embedded quotes as '\''.
shell_quote() {
  local q="'\\''"
  printf "'%s'" "${1//\'/${q}}"
}

# Makes a path absolute without requiring it to exist.
absolute_path() {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$(pwd)" "$1" ;;
  esac
}

dir=""
label=""
pin_file=""
so_pin_file=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    --label) [[ $# -ge 2 ]] || die "--label needs a value"; label="$2"; shift 2 ;;
    --pin-file) [[ $# -ge 2 ]] || die "--pin-file needs a value"; pin_file="$2"; shift 2 ;;
    --so-pin-file) [[ $# -ge 2 ]] || die "--so-pin-file needs a value"; so_pin_file="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
done
[[ -n "${dir}" && -n "${label}" ]] || { usage; exit 2; }
# The label names files in DIR, so keep it to a safe alphabet.
[[ "${label}" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$ ]] \
  || die "invalid label '${label}': use 1-32 of [A-Za-z0-9._-], not starting with '.' or '-'"

module="${YINJIAN_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
[[ -f "${module}" ]] || die "PKCS#11 module ${module} not found (is softhsm2 installed?)"
python=/usr/bin/python3  # Debian's python3, which has python3-pykcs11.
[[ -x "${python}" ]] || die "${python} not found"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

dir="$(absolute_path "${dir}")"
pin_file="$(absolute_path "${pin_file:-${dir}/${label}.pin}")"
so_pin_file="$(absolute_path "${so_pin_file:-${dir}/${label}.so-pin}")"
conf="${dir}/softhsm2.conf"

umask 077
mkdir -p "${dir}/tokens"

# Serialise concurrent runs on the same directory (e.g. parallel tests adding tokens).
exec 9>"${dir}/.create-token.lock"
flock 9

if [[ ! -f "${conf}" ]]; then
  tmp_conf="$(mktemp "${conf}.XXXXXX")"
  cat >"${tmp_conf}" <<CONF
# SoftHSM2 configuration written by Yinjian's softhsm-setup/create-token.sh.
directories.tokendir = ${dir}/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
  chmod 0600 "${tmp_conf}"
  mv "${tmp_conf}" "${conf}"
  echo "create-token: wrote ${conf}" >&2
fi

SOFTHSM2_CONF="${conf}" "${python}" "${script_dir}/init_token.py" \
  --module "${module}" --label "${label}" --pin-file "${pin_file}" --so-pin-file "${so_pin_file}"

echo "export SOFTHSM2_CONF=$(shell_quote "${conf}")"
echo "export YINJIAN_PKCS11_MODULE=$(shell_quote "${module}")"
echo "export YINJIAN_TOKEN_LABEL=$(shell_quote "${label}")"
echo "export YINJIAN_PIN_FILE=$(shell_quote "${pin_file}")"
