# Sourced by the yinjianctl end-to-end scripts. Needs ${server}, ${work} and fail().
#
# start_server [CONFIG]: starts yinjian-server on CONFIG (default ${work}/data/server.conf) and
# sets ${pid} and ${port} (a fresh port each time: the configs ask for port 0). The server's
# output goes to ${work}/server.log, which fail() may show.
start_server() {
  local config="${1:-${work}/data/server.conf}"
  rm -f "${work}/out"; mkfifo "${work}/out"
  "${server}" --config "${config}" >"${work}/out" 2>&1 &
  pid=$!
  exec 3<"${work}/out"
  port=""
  while IFS= read -r -u 3 line; do
    if [[ "${line}" =~ ^ready:\ listening\ on\ port\ ([0-9]+) ]]; then port="${BASH_REMATCH[1]}"; break; fi
  done
  [[ -n "${port}" ]] || fail "server never became ready"
  cat <&3 >>"${work}/server.log" &   # keep draining the server's output
}
