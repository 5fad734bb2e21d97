#!/usr/bin/env bash
# Backup and restore (R12) with the real binaries: a server on one SoftHSM token is backed up
# by its security administrator; restore drills pass with enough shares and fail without; the
# backup is restored into a second, fresh SoftHSM token and store; a server on them decrypts
# the old ciphertexts and verifies the old signatures, and its audit log continues.
set -euo pipefail
server="$1"; ctl="$2"; source_dir="$3"
work="$(mktemp -d)"; pid=""
cleanup() { [[ -n "${pid}" ]] && kill "${pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "${work}/server.log" 2>/dev/null; exit 1; }

eval "$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm" --label backup-e2e)"
"${server}" init --data-dir "${work}/data" --listen 127.0.0.1:0 >/dev/null
# shellcheck source=server_lib.sh
source "${source_dir}/tests/cli/server_lib.sh"
stop_server() { kill "${pid}"; wait "${pid}" 2>/dev/null || true; pid=""; }
start_server "${work}/data/server.conf"
creds="${work}/creds"
as() { local who="$1"; shift; "${ctl}" --server "127.0.0.1:${port}" --profile "${creds}/${who}.profile" "$@"; }
admin() { "${ctl}" --server "127.0.0.1:${port}" --profile "${work}/data/admin.profile" "$@"; }

admin department create finance >/dev/null
admin principal add fin-officer --department finance --role key-officer --out-dir "${creds}" >/dev/null
admin principal add fin-app --department finance --role application --out-dir "${creds}" >/dev/null
admin principal add auditor --department finance --role auditor --out-dir "${creds}" >/dev/null
officer() { as fin-officer "$@"; }
y() { as fin-app "$@"; }
officer key create finance/docs --kind aes256-gcm >/dev/null
officer key create finance/seal --kind ecdsa-p256 >/dev/null
officer key create finance/gm --kind sm4 >/dev/null
officer key create finance/ed --kind ed25519 >/dev/null
printf 'land register, volume 3' >"${work}/plain"
y encrypt finance/docs --in "${work}/plain" --out "${work}/docs1.yjc" >/dev/null
officer key rotate finance/docs >/dev/null
y encrypt finance/docs --in "${work}/plain" --out "${work}/docs2.yjc" >/dev/null
y encrypt finance/gm --in "${work}/plain" --out "${work}/gm.yjc" >/dev/null
y sign finance/seal --in "${work}/plain" --out "${work}/seal.sig" >/dev/null
y pubkey finance/seal --out "${work}/seal.pem" >/dev/null
as auditor audit log-key --out "${work}/old-log-key.pem" >/dev/null
# This server does not sign with SM2 (audit.sm2_signature is off by default).
set +e
as auditor audit log-key --sm2 >/dev/null 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q FAILED_PRECONDITION "${work}/err" \
  || fail "audit log-key --sm2 without an SM2 key: exit ${code}, $(cat "${work}/err")"

# Only security administrators back up; thresholds are checked.
set +e
officer backup create --custodians 3 --threshold 2 --out "${work}/nope" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q PERMISSION_DENIED "${work}/err" || fail "a key officer made a backup (exit ${code})"
[[ ! -e "${work}/nope" || -z "$(ls -A "${work}/nope")" ]] || fail "a refused backup left files"
if admin backup create --custodians 2 --threshold 3 --out "${work}/bad" 2>"${work}/err"; then
  fail "a threshold above the custodians was accepted"
fi
grep -q INVALID_ARGUMENT "${work}/err" || fail "unclear threshold error: $(cat "${work}/err")"

admin backup create --custodians 3 --threshold 2 --out "${work}/backup" --purpose "weekly" \
  >"${work}/made" 2>"${work}/progress" || fail "backup create: $(cat "${work}/progress")"
for f in manifest.json versions.json store.sqlite custodian-1.share custodian-2.share custodian-3.share; do
  [[ -s "${work}/backup/${f}" ]] || fail "the backup lacks ${f}"
  [[ "$(stat -c %a "${work}/backup/${f}")" == 600 ]] || fail "${f} is not mode 0600"
done
grep -q "finance/ed:1" "${work}/made" || fail "the resident Ed25519 version is not reported as not included"
grep -q "4 of 4 versions" "${work}/progress" || fail "no progress: $(cat "${work}/progress")"
admin --output json backup create --custodians 2 --threshold 2 --out "${work}/backup2" \
  2>/dev/null | grep -q '"backup_id"' || fail "backup create --output json"
as auditor audit query --operation CreateBackup | grep -c CreateBackup | grep -q '^[34]$' \
  || fail "the backups are not in the audit log"

# Restore drills into a throw-away token: enough shares pass, too few or altered ones fail.
b="${work}/backup"
"${ctl}" backup verify --from "${b}" --shares "${b}/custodian-1.share" "${b}/custodian-3.share" \
  >"${work}/drill" || fail "the restore drill failed"
grep -q "restore drill passed" "${work}/drill" || fail "drill output: $(cat "${work}/drill")"
grep -Eq "key versions checked: +4" "${work}/drill" || fail "drill checked: $(cat "${work}/drill")"
set +e
"${ctl}" backup verify --from "${b}" --shares "${b}/custodian-2.share" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q "needs 2 of its 3" "${work}/err" || fail "one share: exit ${code} $(cat "${work}/err")"
python3 - "${b}/custodian-2.share" "${work}/altered.share" <<'PY'
import base64, json, sys
share = json.load(open(sys.argv[1]))
y = bytearray(base64.b64decode(share["share"])); y[0] ^= 1
share["share"] = base64.b64encode(bytes(y)).decode()
json.dump(share, open(sys.argv[2], "w"))
PY
set +e
"${ctl}" backup verify --from "${b}" --shares "${b}/custodian-1.share" "${work}/altered.share" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q altered "${work}/err" || fail "altered share: exit ${code} $(cat "${work}/err")"

# An altered backup file is caught by the manifest's digest, with the same exit status.
cp -r "${b}" "${work}/altered-backup"
printf ' ' >>"${work}/altered-backup/versions.json"
set +e
"${ctl}" backup verify --from "${work}/altered-backup" --shares "${b}/custodian-1.share" \
  "${b}/custodian-3.share" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q "does not match the manifest's digest" "${work}/err" \
  || fail "altered versions.json: exit ${code} $(cat "${work}/err")"

# Shares sealed for the custodians' certificates (CMS): no share is ever in the clear, and
# each custodian opens only their own, with openssl.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "${work}/c1.key" -out "${work}/c1.pem" \
  -subj "/CN=custodian one" -days 30 2>/dev/null
for i in 2 3; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "${work}/c${i}.key" \
    -out "${work}/c${i}.pem" -subj "/CN=custodian ${i}" -days 30 2>/dev/null
done
admin backup create --custodian-cert "${work}/c1.pem" --custodian-cert "${work}/c2.pem" \
  --custodian-cert "${work}/c3.pem" --threshold 2 --out "${work}/sealed" >"${work}/made-sealed" 2>/dev/null \
  || fail "backup create with custodian certificates"
s="${work}/sealed"
[[ -z "$(ls "${s}"/*.share 2>/dev/null)" ]] || fail "a sealed backup wrote a share in the clear"
grep -q "custodian_certificates_sha256" "${s}/manifest.json" || fail "the manifest names no custodian certificates"
if "${ctl}" backup verify --from "${s}" --shares "${s}/custodian-1.share.cms" "${s}/custodian-2.share.cms" 2>"${work}/err"; then
  fail "sealed shares were used unopened"
fi
grep -q "sealed for its custodian" "${work}/err" || fail "unclear error for a sealed share: $(cat "${work}/err")"
if openssl cms -decrypt -inform PEM -in "${s}/custodian-1.share.cms" -recip "${work}/c2.pem" \
     -inkey "${work}/c2.key" -out "${work}/x" 2>/dev/null; then
  fail "custodian 2 opened custodian 1's share"
fi
for i in 1 3; do
  openssl cms -decrypt -inform PEM -in "${s}/custodian-${i}.share.cms" -recip "${work}/c${i}.pem" \
    -inkey "${work}/c${i}.key" -out "${work}/opened-${i}.share" || fail "custodian ${i} cannot open their share"
done
"${ctl}" backup verify --from "${s}" --shares "${work}/opened-1.share" "${work}/opened-3.share" \
  >/dev/null || fail "the drill fails with opened sealed shares"

# The machine is lost. A fresh token and store on "another machine" (the TLS files are kept).
stop_server
eval "$("${source_dir}/softhsm-setup/create-token.sh" --dir "${work}/softhsm-b" --label backup-e2e-b)"
mkdir -p "${work}/data-b"
sed -e 's/"backup-e2e"/"backup-e2e-b"/' -e "s#${work}/softhsm/backup-e2e.pin#${work}/softhsm-b/backup-e2e-b.pin#" \
    -e "s#${work}/data/yinjian.db#${work}/data-b/yinjian.db#" "${work}/data/server.conf" >"${work}/data-b/server.conf"
printf 'audit { origin: "yinjian/backup-e2e" }\n' >>"${work}/data-b/server.conf"
grep -q backup-e2e-b.pin "${work}/data-b/server.conf" || fail "the second config still names the first token's PIN"
"${ctl}" backup restore --from "${b}" --shares "${b}/custodian-3.share" "${b}/custodian-2.share" \
  --config "${work}/data-b/server.conf" >"${work}/restored" || fail "backup restore failed"
grep -q "restore passed" "${work}/restored" || fail "restore output: $(cat "${work}/restored")"
set +e
"${ctl}" backup restore --from "${b}" --shares "${b}/custodian-1.share" "${b}/custodian-2.share" \
  --config "${work}/data-b/server.conf" 2>"${work}/err"; code=$?
set -e
[[ ${code} -eq 1 ]] && grep -q "exists" "${work}/err" || fail "a second restore over the store: exit ${code}"

start_server "${work}/data-b/server.conf"
for n in docs1 docs2 gm; do
  y decrypt --in "${work}/${n}.yjc" --out "${work}/${n}.out" >/dev/null || fail "${n} does not decrypt after the restore"
  cmp -s "${work}/plain" "${work}/${n}.out" || fail "${n} decrypted to something else"
done
y verify finance/seal --in "${work}/plain" --sig "${work}/seal.sig" >/dev/null || fail "the old signature does not verify"
y pubkey finance/seal --out "${work}/seal-b.pem" >/dev/null
cmp -s "${work}/seal.pem" "${work}/seal-b.pem" || fail "the restored public key differs"
if y sign finance/ed --in "${work}/plain" --out "${work}/x" 2>"${work}/err"; then
  fail "a resident key that was not in the backup signed"
fi
grep -q NOT_FOUND "${work}/err" || fail "unclear error for the missing resident key: $(cat "${work}/err")"
# New work goes on: a new version, new ciphertexts.
officer key rotate finance/docs >/dev/null
y encrypt finance/docs --in "${work}/plain" --out "${work}/docs3.yjc" >/dev/null
y decrypt --in "${work}/docs3.yjc" --out "${work}/docs3.out" >/dev/null
# The log continues under the new token's key; earlier checkpoints verify with the old one.
as auditor audit query --operation BackupRestored | grep -q BackupRestored || fail "no BackupRestored entry"
as auditor audit log-key --out "${work}/new-log-key.pem" >/dev/null
cmp -s "${work}/old-log-key.pem" "${work}/new-log-key.pem" && fail "the new token reused the old log key"
as auditor audit verify --previous-log-key "${work}/old-log-key.pem" >/dev/null \
  || fail "audit verify after the restore"
if as auditor audit verify >/dev/null 2>&1; then fail "old checkpoints verified without the old key"; fi
echo "backup e2e: ok"
