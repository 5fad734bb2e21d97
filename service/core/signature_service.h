// Sign, Verify and GetPublicKey. Signing runs in the HSM (software for SM2); verification uses
// the version's stored public key in software, which needs no HSM session.
#ifndef YINJIAN_SERVICE_CORE_SIGNATURE_SERVICE_H_
#define YINJIAN_SERVICE_CORE_SIGNATURE_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/core/key_resolver.h"

namespace yinjian::core {

// The signed input: a message, or a digest the caller computed with the key's hash.
struct SignatureInput {
  absl::string_view data;
  bool is_digest = false;
};

struct SignResult {
  std::string signature;
  KeyVersionInfo key_version;
};

struct VerifyResult {
  bool valid = false;
  KeyVersionInfo key_version;
};

struct PublicKeyResult {
  std::string pem;
  KeyVersionInfo key_version;
};

class SignatureService {
 public:
  explicit SignatureService(KeyResolver& resolver) : resolver_(resolver) {}

  // INVALID_ARGUMENT for a digest of the wrong length or a digest for Ed25519/SM2 (which sign
  // messages only); FAILED_PRECONDITION for a key that does not sign.
  absl::StatusOr<SignResult> Sign(absl::string_view key, SignatureInput input);
  // valid=false for a wrong or malformed signature; errors only for bad calls.
  absl::StatusOr<VerifyResult> Verify(absl::string_view key, SignatureInput input,
                                      absl::string_view signature);
  absl::StatusOr<PublicKeyResult> GetPublicKey(absl::string_view key);

 private:
  KeyResolver& resolver_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_SIGNATURE_SERVICE_H_
