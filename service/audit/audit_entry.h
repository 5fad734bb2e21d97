// One audit entry (R9): who did what, with which key, for what purpose, what the policy decided
// and what came of it, with salted digests of the request and response payloads. Never
// plaintext, never key material. The entry's bytes are a JSON object with its keys in sorted
// order and no insignificant whitespace, so a third party can read it with any JSON library;
// the exact bytes (not a re-serialisation) are what the Merkle tree hashes.
//
//   {"certificate":"3f1c…","decision":"allow","department":"tax","index":41,
//    "key":"finance/payroll","key_version":2,"operation":"Decrypt","principal":"assessment-app",
//    "purpose":"tax-assessment-2026","reason":"GRANT","request_digest":"9a0b…",
//    "response_digest":"77e1…","result":"OK","time":"2026-11-21T14:25:00.123456Z","v":1}
//
// Digests are lowercase hex SHA-256(salt || payload): the payload is the request (response)
// message as the server received (sent) it, serialised deterministically; the 32-byte salt is
// fresh per call and given only to the caller, so a low-entropy plaintext cannot be guessed
// from the log. An error response has no payload: its digest is of the salt alone.
#ifndef YINJIAN_SERVICE_AUDIT_AUDIT_ENTRY_H_
#define YINJIAN_SERVICE_AUDIT_AUDIT_ENTRY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace yinjian::audit {

inline constexpr int kEntryFormatVersion = 1;

struct AuditEvent {
  absl::Time time;
  std::string principal;    // "" if the caller was not identified
  std::string certificate;  // SHA-256 fingerprint of the client certificate, hex
  std::string department;   // the caller's
  std::string operation;    // the RPC method, e.g. "Encrypt"
  std::string key;          // "department/key", or "" for calls without a key
  int32_t key_version = 0;  // 0 if none or unknown
  std::string purpose;
  std::string decision;         // "allow" or "deny"
  std::string reason;           // the policy reason code, e.g. "OWNER", "NO_GRANT"
  std::string result;           // the canonical status code name, e.g. "OK", "PERMISSION_DENIED"
  std::string request_digest;   // hex
  std::string response_digest;  // hex
};

// The entry's canonical bytes. Strings are JSON-escaped; bytes that are not valid UTF-8 are
// written as \u00XX escapes of the byte value, so every entry is valid JSON.
std::string EncodeEntry(const AuditEvent& event, int64_t index);

// A JSON string literal of `text`, escaped as entries escape strings.
std::string JsonString(absl::string_view text);
void AppendJsonString(std::string& out, absl::string_view text);
// A JSON object of (name, encoded value) pairs, written with the names in sorted byte order and
// no whitespace: the canonical form entries (and destruction records) use.
std::string EncodeJsonObject(std::vector<std::pair<std::string, std::string>> fields);

// Lowercase hex of SHA-256(salt || payload).
std::string SaltedDigestHex(absl::string_view salt, absl::string_view payload);

// RFC 3339 UTC with microseconds, as entries carry times.
std::string FormatEntryTime(absl::Time time);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_AUDIT_ENTRY_H_
