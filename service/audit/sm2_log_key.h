// The audit log's optional second signing key (R4, R10): SM2 with SM3, so that checkpoints and
// receipts also verify under the national algorithms (config `audit.sm2_signature`).
//
// SoftHSM, like many HSMs, has no SM2 mechanism, so the key is protected the way software-level
// key versions are (key-hierarchy.md): the SM2 private key (PKCS#8) is generated with OpenSSL and
// wrapped at once by an AES-256 wrapping key that lives in the HSM (token object, sensitive,
// never extractable, allowed only to wrap and unwrap). The wrapped bytes are kept in the same
// token as a private CKO_DATA object, so the key travels with the HSM like the ECDSA log key
// and never touches the store or a file. For each signature the private key is unwrapped into
// process memory, used through OpenSSL and wiped.
//
//   CKA_ID / CKA_LABEL "yinjian-audit-log-sm2-wrap-1"   the AES wrapping key (CKO_SECRET_KEY)
//   CKA_LABEL          "yinjian-audit-log-sm2-1"        the wrapped SM2 key (CKO_DATA)
#ifndef YINJIAN_SERVICE_AUDIT_SM2_LOG_KEY_H_
#define YINJIAN_SERVICE_AUDIT_SM2_LOG_KEY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/key_ref.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::audit {

inline constexpr char kSm2LogWrappingKeyId[] = "yinjian-audit-log-sm2-wrap-1";
inline constexpr char kSm2LogKeyLabel[] = "yinjian-audit-log-sm2-1";

class Sm2LogKey {
 public:
  // Finds the wrapped key in `token` (creating the wrapping key and the key if the token has
  // none) and reads its public key. INVALID_ARGUMENT if the stored key does not unwrap under the
  // wrapping key (altered, or the wrapping key was replaced); FAILED_PRECONDITION if the token
  // holds several; otherwise the HSM's errors. `token` must outlive the key.
  static absl::StatusOr<std::unique_ptr<Sm2LogKey>> OpenOrCreate(hsm::Token& token);

  // A DER SM2 signature (SEQUENCE { r, s }) with SM3 and the default distinguishing ID over
  // `message`. Thread-safe.
  absl::StatusOr<hsm::Bytes> Sign(absl::Span<const uint8_t> message);

  const hsm::Bytes& public_key_spki() const { return spki_; }
  const std::string& public_key_pem() const { return pem_; }

 private:
  Sm2LogKey(hsm::Token& token, hsm::Bytes wrapped, hsm::Bytes spki, std::string pem);

  hsm::Token& token_;
  hsm::KeyRef wrapping_key_;
  const hsm::Bytes wrapped_;
  const hsm::Bytes spki_;
  const std::string pem_;
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_SM2_LOG_KEY_H_
