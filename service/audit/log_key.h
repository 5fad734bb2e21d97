// The audit log's signing key (R10): an ECDSA P-256 key pair generated inside the HSM as token
// objects, the private half sensitive and never extractable. It signs every checkpoint; its
// public key (GetLogKey, `yinjianctl audit log-key`) is what third parties verify receipts with.
#ifndef YINJIAN_SERVICE_AUDIT_LOG_KEY_H_
#define YINJIAN_SERVICE_AUDIT_LOG_KEY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/key_ref.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::audit {

// CKA_ID and CKA_LABEL of the key pair in the token.
inline constexpr char kLogKeyId[] = "yinjian-audit-log-1";

class LogKey {
 public:
  // Finds the key pair in `token`, generating it if the token has none. `token` must outlive
  // the LogKey. Errors are the HSM's.
  static absl::StatusOr<std::unique_ptr<LogKey>> OpenOrCreate(hsm::Token& token);

  // A DER ECDSA-Sig-Value over SHA-256 of `message`, made in the HSM.
  absl::StatusOr<hsm::Bytes> Sign(absl::Span<const uint8_t> message);

  const hsm::Bytes& public_key_spki() const { return spki_; }
  const std::string& public_key_pem() const { return pem_; }

 private:
  LogKey(hsm::Token& token, hsm::Bytes spki, std::string pem);

  hsm::Token& token_;
  hsm::KeyRef private_key_;
  const hsm::Bytes spki_;
  const std::string pem_;
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_LOG_KEY_H_
