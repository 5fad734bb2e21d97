#!/usr/bin/env bash
# The README's run path on a fresh token: yinjian-server opens it, reports, says ready, and
# shuts down cleanly on SIGTERM. A wrong label fails with a one-line reason and exit 1.
set -euo pipefail
server="$1"
source_dir="$2"
work="$(mktemp -d)"
pid=""
cleanup() { [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT

exports="$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm" --label smoke)"
eval "${exports}"

# One reader holds the FIFO open for the whole test, so the server never writes to a FIFO
# without a reader (SIGPIPE) and its output is read to the end after it stops.
mkfifo "${work}/out"
"${server}" --token-label smoke --pin-file "${YINJIAN_PIN_FILE}" >"${work}/out" 2>&1 &
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

if out="$("${server}" --check --token-label no-such-token --pin-file "${YINJIAN_PIN_FILE}" 2>&1)"; then
  echo "a missing token label was accepted"; exit 1
fi
[[ "${out}" == *"no token labelled 'no-such-token'"* ]] || { echo "unclear error: ${out}"; exit 1; }
grep -q "$(cat "${YINJIAN_PIN_FILE}")" <<<"${out}" && { echo "PIN leaked into output"; exit 1; }
echo "server smoke test passed"
