#!/usr/bin/env bash
# yinjianctl against a real yinjian-server (fresh SoftHSM token, init, mutual TLS), as its people
# use it: the first administrator enrols a key officer and applications (keys and CSRs made by
# yinjianctl, certificates from the server's CA), the officer creates keys, the applications use
# them, and a grant shares one with another department. Signatures are checked with openssl.
set -euo pipefail
server="$1"; ctl="$2"; source_dir="$3"
work="$(mktemp -d)"; pid=""
cleanup() { [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

eval "$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm" --label cli-e2e)"
"${server}" init --data-dir "${work}/data" --listen 127.0.0.1:0 >/dev/null
# The rotation scheduler and destruction executor look every second (default 60), and a
# witnessed destruction waits one second (default 30 days), so both show quickly.
# The root key re-wrap job takes 3 versions a second, so a kill can land in the middle of it.
printf 'lifecycle { rotation_check_seconds: 1 destruction_check_seconds: 1 destruction_waiting_seconds: 1 allow_short_destruction_wait_for_tests: true root_rewrap_batch: 3 root_retire_grace_seconds: 1 }\n' \
  >>"${work}/data/server.conf"
# Checkpoints carry the optional SM2 signature line too (docs/receipts.md).
printf 'audit { sm2_signature: true }\n' >>"${work}/data/server.conf"
# shellcheck source=server_lib.sh
source "${source_dir}/tests/cli/server_lib.sh"
start_server
creds="${work}/creds"
as() { local who="$1"; shift; "${ctl}" --server "127.0.0.1:${port}" --profile "${creds}/${who}.profile" "$@"; }
admin() { "${ctl}" --server "127.0.0.1:${port}" --profile "${work}/data/admin.profile" "$@"; }

admin whoami | grep -q security-admin || fail "the first administrator is not a security-admin"
admin department create finance --display-name "Finance Bureau" >/dev/null
admin department create tax >/dev/null
admin principal add fin-officer --department finance --role key-officer --out-dir "${creds}" >/dev/null
admin principal add fin-officer2 --department finance --role key-officer --out-dir "${creds}" >/dev/null
admin principal add fin-app --department finance --role application --out-dir "${creds}" >/dev/null
admin principal add tax-officer --department tax --role key-officer --out-dir "${creds}" >/dev/null
admin principal add tax-app --department tax --role application --out-dir "${creds}" >/dev/null
[[ "$(stat -c %a "${creds}/fin-app.key")" == 600 ]] || fail "a private key is not mode 0600"
as fin-app --output json whoami | grep -q '"fin-app"' || fail "whoami as fin-app"
# Separation of duties: the administrator uses no keys, applications create none.
if err="$(admin key create finance/x --kind aes256-gcm 2>&1)"; then fail "admin created a key"; fi
[[ "${err}" == *PERMISSION_DENIED* ]] || fail "unclear denial: ${err}"
if as fin-app key create finance/x --kind aes256-gcm 2>/dev/null; then fail "an application created a key"; fi

y() { as fin-app "$@"; }
officer() { as fin-officer "$@"; }
officer key create finance/docs --kind aes256-gcm >/dev/null
officer key create finance/seal --kind ecdsa-p256 >/dev/null
officer key create finance/gm --kind sm2 >/dev/null
officer key create finance/ids --kind hmac-sm3 >/dev/null
officer --output json key list finance | grep -q '"finance/gm"' || fail "key list misses finance/gm"
officer key show finance/gm | grep -qi software || fail "sm2 key is not shown as software-protected"

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
  officer key create "finance/${kind}" --kind "${kind}" >/dev/null
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

# Sharing a conditional key with the tax office for one purpose (docs/access.md).
officer key create finance/payroll --kind aes256-gcm --level important --sharing conditional \
  --allow-purpose payroll --allow-purpose tax-assessment >/dev/null
officer key show finance/payroll | grep -q conditional || fail "key show lacks the sharing class"
y encrypt finance/payroll --in "${work}/plain" --out "${work}/payroll.yjc" --purpose payroll >/dev/null
denied() {  # denied REASON command...: the command must fail with that reason code
  local reason="$1"; shift
  if out="$("$@" 2>&1)"; then fail "allowed, expected ${reason}: $*"; fi
  [[ "${out}" == *"PERMISSION_DENIED"*"${reason}"* ]] || fail "expected ${reason}, got: ${out}"
}
denied NO_GRANT as tax-app decrypt --in "${work}/payroll.yjc" --out "${work}/x" --purpose tax-assessment
grant_json="$(as tax-officer --output json grant request finance/payroll --grantee-principal tax-app \
  --operation decrypt --purpose tax-assessment --valid-for 30d --justification "case 17")"
id_of() { grep -Eo '"id": *"?[0-9]+' <<<"$1" | grep -Eo '[0-9]+$' | head -1; }
grant_id="$(id_of "${grant_json}")"
[[ -n "${grant_id}" ]] || fail "no grant id in: ${grant_json}"
denied GRANT_PENDING as tax-app decrypt --in "${work}/payroll.yjc" --out "${work}/x" --purpose tax-assessment
denied OTHER_DEPARTMENT as tax-officer grant approve "${grant_id}"
own_id="$(id_of "$(officer --output json grant request finance/payroll --grantee-department tax \
  --operation decrypt --purpose payroll --valid-for 1d)")"
denied SELF_APPROVAL officer grant approve "${own_id}"
officer grant approve "${grant_id}" >/dev/null
as tax-app decrypt --in "${work}/payroll.yjc" --out "${work}/tax-copy" --purpose tax-assessment >/dev/null
cmp -s "${work}/plain" "${work}/tax-copy" || fail "the grantee did not get the plaintext"
denied GRANT_WRONG_PURPOSE as tax-app decrypt --in "${work}/payroll.yjc" --out "${work}/x" --purpose payroll
denied GRANT_WRONG_OPERATION as tax-app encrypt finance/payroll --in "${work}/plain" --out "${work}/x" --purpose tax-assessment
as fin-officer2 grant show "${grant_id}" | grep -qi active || fail "grant show does not say active"
as fin-officer2 grant revoke "${grant_id}" --reason "assessment closed" >/dev/null
denied GRANT_REVOKED as tax-app decrypt --in "${work}/payroll.yjc" --out "${work}/x" --purpose tax-assessment

# Offboarding: one step, and the principal's next call fails.
report="$(admin principal offboard tax-app)"
[[ "${report}" == *application* ]] || fail "the offboard report lacks the removed role: ${report}"
# What it did (R8): its decrypts, allowed and denied, oldest first.
[[ "${report}" =~ activity:\ [0-9]+\ calls\ recorded ]] || fail "the offboard report lacks the activity count"
grep -Eq '^[0-9]+ +[0-9T:.Z-]+ +Decrypt +finance/payroll +allow +OK$' <<<"${report}" \
  || fail "the offboard report lacks tax-app's Decrypt: ${report}"
grep -Eq 'Decrypt +finance/payroll +deny +PERMISSION_DENIED$' <<<"${report}" \
  || fail "the offboard report lacks tax-app's denied Decrypt: ${report}"
if out="$(as tax-app whoami 2>&1)"; then fail "an offboarded principal still works"; fi
[[ "${out}" == *UNAUTHENTICATED* ]] || fail "offboarded call: ${out}"
admin principal show tax-app | grep -q disabled || fail "principal show does not say disabled"

# Audit receipts and the audit log (proto/yinjian/v1/audit.proto): a call's receipt verifies
# offline with the log key and nothing else, a tampered copy does not, a deferred receipt can be
# fetched later, and an auditor checks the whole log against its signed checkpoints.
admin audit log-key --out "${work}/log.pem" >/dev/null
grep -q "BEGIN PUBLIC KEY" "${work}/log.pem" || fail "audit log-key --out wrote no PEM"
verifier_key="$(admin --output json audit log-key | grep -Eo '"verifier_key": *"[^"]*"' | cut -d'"' -f4)"
[[ -n "${verifier_key}" ]] || fail "audit log-key printed no verifier key"
y encrypt finance/docs --in "${work}/plain" --out "${work}/receipted" --purpose audit \
  --receipt-out "${work}/r" >/dev/null
[[ "$(stat -c %a "${work}/r")" == 644 ]] || fail "the receipt is not mode 0644"
head -1 "${work}/r" | grep -qx "c2sp.org/tlog-proof@v1" || fail "the receipt is not a tlog-proof"
# Offline: no --server, no profile.
verified="$(env -u YINJIAN_PROFILE "${ctl}" receipt verify "${work}/r" --log-key "${work}/log.pem")" \
  || fail "a fresh receipt does not verify"
[[ "${verified}" == *'"operation": "Encrypt"'* && "${verified}" == *'"principal": "fin-app"'* ]] \
  || fail "receipt verify does not show the entry: ${verified}"
env -u YINJIAN_PROFILE "${ctl}" receipt verify "${work}/r" --verifier-key "${verifier_key}" >/dev/null \
  || fail "the receipt does not verify with the verifier key"
extra="$(sed -n 2p "${work}/r")"
flipped="${extra:0:12}$([[ "${extra:12:1}" == A ]] && echo B || echo A)${extra:13}"
{ sed -n 1p "${work}/r"; printf '%s\n' "${flipped}"; sed -n '3,$p' "${work}/r"; } >"${work}/r-tampered"
set +e
"${ctl}" receipt verify "${work}/r-tampered" --log-key "${work}/log.pem" >/dev/null 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q "invalid receipt: " "${work}/err" \
  || fail "a tampered receipt: exit ${code}, $(cat "${work}/err")"
if "${ctl}" receipt verify "${work}/r" --log-key "${work}/log.pem" --origin other/log >/dev/null 2>&1; then
  fail "a receipt verified for another origin"
fi
y random 8 --receipt-out "${work}/deferred" --deferred-receipt >/dev/null 2>"${work}/err"
index="$(cat "${work}/deferred")"
grep -qx "receipt deferred: index ${index}" "${work}/err" || fail "deferred receipt: $(cat "${work}/err")"
y receipt get "${index}" --out "${work}/deferred.receipt" >/dev/null
"${ctl}" --output json receipt verify "${work}/deferred.receipt" --log-key "${work}/log.pem" \
  | grep -q '"operation":"GenerateRandom"' || fail "the deferred receipt does not verify"
admin audit checkpoint | grep -q "^— " || fail "audit checkpoint shows no signature line"
# The SM2 key: the same receipt verifies under it alone, by PEM and by verifier key; the
# checkpoint has its line after the ECDSA one.
admin audit log-key | grep -q "^SM2 verifier key" || fail "audit log-key shows no SM2 verifier key"
admin audit log-key --sm2 --out "${work}/log-sm2.pem" >/dev/null
openssl pkey -pubin -in "${work}/log-sm2.pem" -text -noout | grep -q "SM2" \
  || fail "audit log-key --sm2 saved no SM2 key"
sm2_verifier_key="$(admin --output json audit log-key --sm2 | grep -Eo '"verifier_key": *"[^"]*"' | cut -d'"' -f4)"
[[ -n "${sm2_verifier_key}" && "${sm2_verifier_key}" != "${verifier_key}" ]] \
  || fail "audit log-key --sm2 printed no SM2 verifier key"
[[ "$(admin audit checkpoint | grep -c "^— ")" -eq 2 ]] || fail "the checkpoint lacks its SM2 line"
env -u YINJIAN_PROFILE "${ctl}" receipt verify "${work}/r" --log-key "${work}/log-sm2.pem" >/dev/null \
  || fail "the receipt does not verify with the SM2 log key"
env -u YINJIAN_PROFILE "${ctl}" receipt verify "${work}/r" --verifier-key "${sm2_verifier_key}" \
  >/dev/null || fail "the receipt does not verify with the SM2 verifier key"
set +e
"${ctl}" receipt verify "${work}/r-tampered" --log-key "${work}/log-sm2.pem" >/dev/null 2>&1; code=$?
set -e
[[ ${code} -eq 1 ]] || fail "a tampered receipt under the SM2 key: exit ${code}"

admin principal add auditor1 --department tax --role auditor --out-dir "${creds}" >/dev/null
if y audit query --limit 1 >/dev/null 2>&1; then fail "an application read the audit log"; fi
found="$(as auditor1 audit query --principal fin-app --operation Encrypt)"
[[ "${found}" == *finance/docs* ]] || fail "audit query does not find fin-app's Encrypt: ${found}"
[[ "$(as auditor1 --output json audit query --limit 3 | wc -l)" -eq 3 ]] || fail "audit query --limit 3"
found="$(as auditor1 audit query --decision deny)"
[[ "${found}" == *PERMISSION_DENIED* ]] || fail "audit query misses the denials: ${found}"
as auditor1 audit export --out "${work}/audit.jsonl" >/dev/null
[[ "$(grep -c '"index":' "${work}/audit.jsonl")" -gt 50 ]] || fail "audit export is short"
summary="$(as auditor1 audit verify)" || fail "audit verify"
[[ "${summary}" == "audit log valid"* ]] || fail "audit verify printed: ${summary}"
as auditor1 audit verify --log-key "${work}/log.pem" >/dev/null || fail "audit verify --log-key"
as auditor1 audit verify --log-key "${work}/log-sm2.pem" >/dev/null || fail "audit verify, SM2 key"

# Key lifecycle (docs/operations.md): a rotation keeps old ciphertexts readable; a disabled
# version and the minimum decrypt version stop them; only the owning department's key officers
# manage it, and each change is an audited call with a receipt (R13).
officer key create finance/rotating --kind aes256-gcm --rotation-period 90d >/dev/null
y encrypt finance/rotating --in "${work}/plain" --out "${work}/v1.yjc" >/dev/null
officer key rotate finance/rotating --receipt-out "${work}/rotate.receipt" >/dev/null
shown="$(officer key show finance/rotating)"
grep -Eq '^finance/rotating +aes256-gcm +[a-z]+ +2 +general +none +90d ' <<<"${shown}" \
  || fail "key show after rotate: ${shown}"
grep -Eq '^generated +- +90d +[0-9]{4}-' <<<"${shown}" || fail "key show lacks the rotation schedule: ${shown}"
grep -Eq '^2 +enabled +[0-9T:.Z-]+ +primary$' <<<"${shown}" || fail "version 2 is not primary: ${shown}"
shown="$(officer --output json key show finance/rotating)"
[[ "${shown}" == *'"primary_version":2'* && "${shown}" == *'"rotation_period":"7776000s"'* \
   && "${shown}" == *'"next_rotation_time":"'* ]] || fail "key show --output json: ${shown}"
"${ctl}" receipt verify "${work}/rotate.receipt" --log-key "${work}/log.pem" \
  | grep -q '"operation": "RotateKey"' || fail "the rotation's receipt does not verify"
y encrypt finance/rotating --in "${work}/plain" --out "${work}/v2.yjc" | grep -Eq '^finance/rotating +2 ' \
  || fail "encrypt after rotate does not use version 2"
decrypts() { y decrypt --in "$1" --out "${work}/lifecycle.out" >/dev/null && cmp -s "${work}/plain" "${work}/lifecycle.out"; }
decrypts "${work}/v1.yjc" || fail "version 1 ciphertext does not decrypt after rotation"
officer key disable-version finance/rotating 1 | grep -Eq '^1 +disabled ' || fail "disable-version 1"
if err="$(y decrypt --in "${work}/v1.yjc" --out "${work}/x" 2>&1)"; then fail "a disabled version decrypted"; fi
[[ "${err}" == *FAILED_PRECONDITION*disabled* && $(wc -l <<<"${err}") -eq 1 ]] || fail "disabled version: ${err}"
decrypts "${work}/v2.yjc" || fail "version 2 stopped decrypting when version 1 was disabled"
if err="$(officer key disable-version finance/rotating 2 2>&1)"; then fail "the primary version was disabled"; fi
[[ "${err}" == *FAILED_PRECONDITION* ]] || fail "disabling the primary: ${err}"
officer key enable-version finance/rotating 1 >/dev/null
decrypts "${work}/v1.yjc" || fail "version 1 does not decrypt once enabled again"
officer key set-min-decrypt-version finance/rotating 2 | grep -Eq '^1 +enabled +[0-9T:.Z-]+ +below minimum decrypt version$' \
  || fail "key show does not mark version 1 as below the minimum decrypt version"
if err="$(y decrypt --in "${work}/v1.yjc" --out "${work}/x" 2>&1)"; then fail "a retired version decrypted"; fi
[[ "${err}" == *FAILED_PRECONDITION*"minimum decrypt version"* ]] || fail "retired version: ${err}"
decrypts "${work}/v2.yjc" || fail "version 2 does not decrypt above the floor"
if err="$(officer key set-min-decrypt-version finance/rotating 3 2>&1)"; then fail "a floor above the primary"; fi
[[ "${err}" == *FAILED_PRECONDITION* ]] || fail "floor above the primary: ${err}"
officer key set-min-decrypt-version finance/rotating 0 >/dev/null
decrypts "${work}/v1.yjc" || fail "version 1 does not decrypt once the floor is lifted"
officer key set-primary finance/rotating 1 | grep -Eq '^1 +enabled +[0-9T:.Z-]+ +primary$' || fail "set-primary 1"
y encrypt finance/rotating --in "${work}/plain" --out "${work}/x" | grep -Eq '^finance/rotating +1 ' \
  || fail "encrypt after set-primary 1 does not use version 1"
officer key set-primary finance/rotating 2 >/dev/null
officer key set-rotation finance/rotating 12h | grep -Eq '^generated +- +12h +[0-9]{4}-' || fail "set-rotation 12h"
officer key list finance | grep -Eq '^finance/rotating +aes256-gcm +[a-z]+ +2 +general +none +12h ' \
  || fail "key list lacks the rotation column"
shown="$(officer --output json key set-rotation finance/rotating 0)"
[[ "${shown}" != *rotation* ]] || fail "set-rotation 0 left a schedule: ${shown}"
denied ROLE_NOT_PERMITTED y key rotate finance/rotating
denied ROLE_NOT_PERMITTED y key set-min-decrypt-version finance/rotating 0
denied OTHER_DEPARTMENT as tax-officer key rotate finance/rotating
denied ROLE_NOT_PERMITTED admin key rotate finance/rotating
for change in RotateKey DisableVersion EnableVersion SetMinDecryptVersion SetPrimaryVersion SetRotationPeriod; do
  as auditor1 audit query --principal fin-officer --operation "${change}" --key finance/rotating \
    | grep -q "${change}" || fail "no audit entry for ${change}"
done
# Scheduled rotation: the server's scheduler rotates the key once its period has passed, as
# "yinjian-scheduler"; switching the schedule off stops it.
officer key create finance/auto --kind sm4 --rotation-period 2s >/dev/null
for _ in $(seq 30); do
  officer --output json key show finance/auto | grep -q '"primary_version":[2-9]' && break
  sleep 0.5
done
officer --output json key show finance/auto | grep -q '"primary_version":[2-9]' || fail "no scheduled rotation"
officer key set-rotation finance/auto 0 >/dev/null
sleep 0.5  # a rotation the scheduler claimed just before may still finish
settled="$(officer --output json key show finance/auto | grep -Eo '"primary_version":[0-9]+')"
sleep 2.5
[[ "$(officer --output json key show finance/auto | grep -Eo '"primary_version":[0-9]+')" == "${settled}" ]] \
  || fail "the key kept rotating after set-rotation 0"
as auditor1 audit query --principal yinjian-scheduler --operation ScheduledRotation --key finance/auto \
  | grep -Eq 'ScheduledRotation +finance/auto +allow +ROTATION_DUE +OK' || fail "the scheduled rotation is not audited"

# Supervised destruction (docs/operations.md, R11): a request, another officer's approval, a
# supervisor's witness, the waiting period; then the version is gone with a clear message, and
# its destruction record verifies offline against the log key while an altered copy does not.
admin principal add supervisor --department tax --role destruction-supervisor --out-dir "${creds}" >/dev/null
officer key create finance/old-ledger --kind aes256-gcm >/dev/null
y encrypt finance/old-ledger --in "${work}/plain" --out "${work}/old.yjc" >/dev/null
officer key rotate finance/old-ledger >/dev/null
y encrypt finance/old-ledger --in "${work}/plain" --out "${work}/new.yjc" >/dev/null
dest_id="$(id_of "$(officer --output json key destroy request finance/old-ledger:1 --reason "retention over")")"
[[ -n "${dest_id}" ]] || fail "no destruction request id"
denied SELF_APPROVAL officer destroy approve "${dest_id}"
if out="$(as supervisor destroy witness "${dest_id}" 2>&1)"; then fail "witnessed before approval"; fi
[[ "${out}" == *FAILED_PRECONDITION*approv* ]] || fail "unclear refusal of an early witness: ${out}"
as fin-officer2 destroy approve "${dest_id}" | grep -q approved || fail "destroy approve"
denied ROLE_NOT_PERMITTED as fin-officer2 destroy witness "${dest_id}"
as supervisor key destroy witness "${dest_id}" | grep -q scheduled || fail "destroy witness"
for _ in $(seq 60); do
  officer destroy show "${dest_id}" --record-out "${work}/dest.json" \
    --receipt-out "${work}/dest.receipt" >/dev/null 2>&1 && break
  sleep 0.5
done
[[ -s "${work}/dest.receipt" ]] || fail "the destruction was not carried out and recorded"
env -u YINJIAN_PROFILE "${ctl}" destroy verify-record "${work}/dest.json" --receipt "${work}/dest.receipt" \
  --log-key "${work}/log.pem" | grep -q "destruction record valid" || fail "the destruction record does not verify"
sed 's/retention over/retention OVER/' "${work}/dest.json" >"${work}/dest-altered.json"
set +e
"${ctl}" destroy verify-record "${work}/dest-altered.json" --receipt "${work}/dest.receipt" \
  --log-key "${work}/log.pem" >/dev/null 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q "invalid record" "${work}/err" || fail "an altered record verified (exit ${code})"
if err="$(y decrypt --in "${work}/old.yjc" --out "${work}/x" 2>&1)"; then fail "decrypted under a destroyed version"; fi
[[ "${err}" == *FAILED_PRECONDITION*"was destroyed at"* ]] || fail "unclear destroyed-version error: ${err}"
y decrypt --in "${work}/new.yjc" --out "${work}/x" >/dev/null || fail "version 2 stopped decrypting"
officer key show finance/old-ledger | grep -q "destroyed .*destruction request ${dest_id}" \
  || fail "key show does not say when version 1 was destroyed"
cancel_id="$(id_of "$(officer --output json destroy request finance/seal --reason "superseded")")"
as supervisor destroy cancel "${cancel_id}" --reason "still verifies contracts" | grep -q cancelled \
  || fail "destroy cancel"
as auditor1 audit query --operation KeyDestroyed --key finance/old-ledger | grep -q KeyDestroyed \
  || fail "the destruction is not in the audit log"

# Bring your own key (docs/operations.md): keys made by openssl on the officer's machine are
# imported wrapped for the department's import key; the service then signs with the officer's
# key (openssl verifies under the officer's own public key) and MACs with the officer's HMAC key
# (openssl computes the same MAC). Imported keys rotate only by importing.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "${work}/partner.pem" 2>/dev/null
openssl pkey -in "${work}/partner.pem" -pubout -out "${work}/partner.pub"
officer key import finance/partner --kind ecdsa-p256 --material "${work}/partner.pem" >/dev/null
officer key show finance/partner | grep -q imported || fail "key show does not say imported"
partner_signs() {
  y sign finance/partner --in "${work}/plain" --out "${work}/partner.sig" >/dev/null &&
    openssl dgst -sha256 -verify "${work}/partner.pub" -signature "${work}/partner.sig" "${work}/plain" \
      | grep -q "Verified OK"
}
partner_signs || fail "the imported key's signature does not verify under the officer's public key"
openssl rand -out "${work}/mac.key" 32
officer key import finance/macs --kind hmac-sha256 --material "${work}/mac.key" >/dev/null
expected_mac="$(openssl mac -digest SHA256 -macopt "hexkey:$(od -An -tx1 "${work}/mac.key" | tr -d " \n")" -in "${work}/plain" HMAC)"
[[ "$(y mac finance/macs --in "${work}/plain" | tr 'a-f' 'A-F')" == *"${expected_mac}"* ]] \
  || fail "the imported HMAC key does not give openssl's MAC"
if err="$(officer key rotate finance/macs 2>&1)"; then fail "an imported key was rotated"; fi
[[ "${err}" == *FAILED_PRECONDITION*import* ]] || fail "unclear refusal to rotate an imported key: ${err}"
openssl rand -out "${work}/mac2.key" 32
officer --output json key import finance/macs --new-version --kind hmac-sha256 --material "${work}/mac2.key" \
  | grep -Eq '"primary_version": *2' || fail "key import --new-version"
head -c 16 "${work}/mac.key" >"${work}/short.key"
if officer key import finance/short --kind aes256-gcm --material "${work}/short.key" 2>/dev/null; then
  fail "a 16-byte key was imported as aes256-gcm"
fi

# Department root key rotation (docs/operations.md): the officer starts it, the server re-wraps
# every finance version in the background; kill -9 in the middle, restart, and the job resumes
# from the store and finishes. Every old ciphertext still decrypts, and the old root key's
# retirement is audited (the core test checks that it left the token).
for i in $(seq 12); do officer key rotate finance/docs >/dev/null; done
rotation="$(officer --output json department rotate-root finance)"
grep -Eq '"new_root_key_id": *"yinjian-root/finance/2"' <<<"${rotation}" || fail "rotate-root: ${rotation}"
total="$(grep -Eo '"versions_total": *"?[0-9]+' <<<"${rotation}" | grep -Eo '[0-9]+$')"
(( total > 9 )) || fail "too few versions to interrupt: ${total}"
if err="$(officer department rotate-root finance 2>&1)"; then fail "a second rotation started"; fi
[[ "${err}" == *FAILED_PRECONDITION* ]] || fail "unclear refusal of a second rotation: ${err}"
denied OTHER_DEPARTMENT as tax-officer department rotate-root finance
remaining="${total}"
for _ in $(seq 100); do
  remaining="$(officer --output json department rotate-root finance --status \
    | grep -Eo '"versions_remaining": *"?[0-9]+' | grep -Eo '[0-9]+$')"
  (( remaining < total )) && break
  sleep 0.1
done
(( remaining > 0 && remaining < total )) || fail "not mid-job (remaining ${remaining} of ${total})"
kill -9 "${pid}"; wait "${pid}" 2>/dev/null || true
start_server
officer department rotate-root finance --status --wait 2>"${work}/progress" | grep -q finished \
  || fail "the re-wrap did not finish after the restart"
grep -q "versions re-wrapped" "${work}/progress" || fail "no progress shown"
y decrypt --in "${work}/sealed" --out "${work}/x" --context case=42 --purpose audit >/dev/null \
  || fail "an old ciphertext does not decrypt after the root rotation"
cmp -s "${work}/plain" "${work}/x" || fail "wrong plaintext after the root rotation"
y decrypt --in "${work}/new.yjc" --out "${work}/x" >/dev/null || fail "finance/old-ledger:2 after the root rotation"
partner_signs || fail "the imported key does not sign after the root rotation"
as auditor1 audit query --operation RootKeyRetired | grep -q RootKeyRetired || fail "the root rotation end is not audited"

echo "yinjianctl end-to-end test passed"
