#!/usr/bin/env bash
# yinjianctl against a real yinjian-server (fresh SoftHSM token, init, mutual TLS), as a key
# officer uses it; signatures are checked with the openssl command line.
set -euo pipefail
server="$1"; ctl="$2"; source_dir="$3"
work="$(mktemp -d)"; pid=""
cleanup() { [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

eval "$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm" --label cli-e2e)"
"${server}" init --data-dir "${work}/data" --listen 127.0.0.1:0 >/dev/null
mkfifo "${work}/out"
"${server}" --config "${work}/data/server.conf" >"${work}/out" 2>&1 &
pid=$!
exec 3<"${work}/out"
port=""
while IFS= read -r -u 3 line; do
  if [[ "${line}" =~ ^ready:\ listening\ on\ port\ ([0-9]+) ]]; then port="${BASH_REMATCH[1]}"; break; fi
done
[[ -n "${port}" ]] || fail "server never became ready"
cat <&3 >/dev/null &   # keep draining the server's output
export YINJIAN_PROFILE="${work}/data/admin.profile"
y() { "${ctl}" --server "127.0.0.1:${port}" "$@"; }

y department create finance --display-name "Finance Bureau" >/dev/null
y key create finance/docs --kind aes256-gcm >/dev/null
y key create finance/seal --kind ecdsa-p256 >/dev/null
y key create finance/gm --kind sm2 >/dev/null
y key create finance/ids --kind hmac-sm3 >/dev/null
y --output json key list finance | grep -q '"finance/gm"' || fail "key list misses finance/gm"
y key show finance/gm | grep -qi software || fail "sm2 key is not shown as software-protected"

printf 'resident register, page 7' >"${work}/plain"
y encrypt finance/docs --in "${work}/plain" --out "${work}/sealed" --context case=42 --purpose audit >/dev/null
y decrypt --in "${work}/sealed" --out "${work}/opened" --context case=42 --purpose audit >/dev/null
cmp -s "${work}/plain" "${work}/opened" || fail "decrypt did not return the plaintext"
[[ "$(stat -c %a "${work}/opened")" == 600 ]] || fail "plaintext output is not mode 0600"
if err="$(y decrypt --in "${work}/sealed" --out "${work}/x" --context case=43 2>&1)"; then
  fail "wrong context decrypted"
fi
[[ "${err}" == *INVALID_ARGUMENT* && $(wc -l <<<"${err}") -eq 1 ]] || fail "unclear error: ${err}"

y sign finance/seal --in "${work}/plain" --out "${work}/sig" >/dev/null
y verify finance/seal --in "${work}/plain" --sig "${work}/sig" >/dev/null || fail "verify"
y pubkey finance/seal --out "${work}/seal.pem" >/dev/null
openssl dgst -sha256 -verify "${work}/seal.pem" -signature "${work}/sig" "${work}/plain" \
  | grep -q "Verified OK" || fail "openssl does not verify the ECDSA signature"
printf 'tampered' >"${work}/other"
if y verify finance/seal --in "${work}/other" --sig "${work}/sig" 2>/dev/null; then
  fail "a signature over other data verified"
fi
# Every other signing kind, checked by openssl from the exported public key.
for kind in ecdsa-p384 rsa-pss-2048 rsa-pkcs1-2048 ed25519; do
  y key create "finance/${kind}" --kind "${kind}" >/dev/null
  y sign "finance/${kind}" --in "${work}/plain" --out "${work}/${kind}.sig" >/dev/null
  y pubkey "finance/${kind}" --out "${work}/${kind}.pem" >/dev/null
  case "${kind}" in
    ecdsa-p384) args=(dgst -sha384 -verify "${work}/${kind}.pem" -signature "${work}/${kind}.sig" "${work}/plain") ;;
    rsa-pss-2048) args=(dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
                        -verify "${work}/${kind}.pem" -signature "${work}/${kind}.sig" "${work}/plain") ;;
    rsa-pkcs1-2048) args=(dgst -sha256 -verify "${work}/${kind}.pem" -signature "${work}/${kind}.sig" "${work}/plain") ;;
    ed25519) args=(pkeyutl -verify -pubin -inkey "${work}/${kind}.pem" -rawin -in "${work}/plain"
                   -sigfile "${work}/${kind}.sig") ;;
  esac
  openssl "${args[@]}" | grep -Eq "Verified OK|Signature Verified Successfully" \
    || fail "openssl does not verify the ${kind} signature"
done
y sign finance/gm --in "${work}/plain" --out "${work}/sm2sig" >/dev/null
y pubkey finance/gm --out "${work}/gm.pem" >/dev/null
openssl pkeyutl -verify -pubin -inkey "${work}/gm.pem" -rawin -digest sm3 \
  -pkeyopt distid:1234567812345678 -in "${work}/plain" -sigfile "${work}/sm2sig" \
  | grep -q "Signature Verified Successfully" || fail "openssl does not verify the SM2 signature"

[[ "$(y mac finance/ids --in "${work}/plain")" == "$(y mac finance/ids --in "${work}/plain")" ]] \
  || fail "HMAC-SM3 is not deterministic"
printf 'abc' >"${work}/abc"
y digest --alg sm3 --in "${work}/abc" | grep -q 66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0 \
  || fail "SM3 digest"
[[ "$(y random 16 | tr -d '[:space:]' | wc -c)" -eq 32 ]] || fail "random 16 is not 32 hex digits"

set +e
y encrypt finance/nothing --in "${work}/plain" --out "${work}/x" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q NOT_FOUND "${work}/err" || fail "unknown key: exit ${code}"
echo "yinjianctl end-to-end test passed"
