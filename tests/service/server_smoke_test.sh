#!/usr/bin/env bash
# The README's run path on a fresh token: create the token, `yinjian-server init`, start from the
# generated config, see "ready", and shut down cleanly on SIGTERM. A config naming a missing
# token fails with a one-line reason, exit 1, and no PIN in the output.
set -euo pipefail
server="$1"
source_dir="$2"
work="$(mktemp -d)"
pid=""
cleanup() { [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT

exports="$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm" --label smoke)"
eval "${exports}"
"${server}" init --data-dir "${work}/data" --listen 127.0.0.1:0 >/dev/null
# Idempotent: a second init creates nothing.
[[ -z "$("${server}" init --data-dir "${work}/data" --listen 127.0.0.1:0 | grep '^created')" ]] \
  || { echo "second init created files"; exit 1; }

# One reader holds the FIFO open for the whole test, so the server never writes to a FIFO
# without a reader (SIGPIPE) and its output is read to the end after it stops.
mkfifo "${work}/out"
"${server}" --config "${work}/data/server.conf" >"${work}/out" 2>&1 &
pid=$!
exec 3<"${work}/out"
ready=no
while IFS= read -r -u 3 line; do
  echo "server: ${line}"
  if [[ "${line}" == ready* ]]; then ready=yes; break; fi
done
[[ "${ready}" == yes ]] || { echo "server never became ready"; exit 1; }
kill -TERM "${pid}"
wait "${pid}" && status=0 || status=$?
pid=""
while IFS= read -r -u 3 line; do echo "server: ${line}"; done
exec 3<&-
[[ "${status}" -eq 0 ]] || { echo "server exited with ${status} on SIGTERM"; exit 1; }

# --check opens the token and reports what it can do (docs/hsm.md).
check="$("${server}" --check --config "${work}/data/server.conf")"
grep -Eq "token 'smoke' .*mechanisms" <<<"${check}" || { echo "no token report: ${check}"; exit 1; }
grep -Eq "^  aes-256-gcm +yes$" <<<"${check}" || { echo "no capability list: ${check}"; exit 1; }

sed 's/token_label: "smoke"/token_label: "no-such-token"/' "${work}/data/server.conf" \
  >"${work}/bad.conf"
if out="$("${server}" --check --config "${work}/bad.conf" 2>&1)"; then
  echo "a missing token label was accepted"; exit 1
fi
[[ "${out}" == *"no token labelled 'no-such-token'"* ]] || { echo "unclear error: ${out}"; exit 1; }
grep -q "$(cat "${YINJIAN_PIN_FILE}")" <<<"${out}" && { echo "PIN leaked into output"; exit 1; }
echo "server smoke test passed"
