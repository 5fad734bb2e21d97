#include "hsm/capabilities.h"

#include <algorithm>

namespace yinjian::hsm {

std::vector<Capability> DescribeCapabilities(const MechanismSet& mechanisms) {
  std::vector<Capability> all = {
      {"aes-256-gcm", {CKM_AES_KEY_GEN, CKM_AES_GCM}},
      {"hmac-sha256", {CKM_GENERIC_SECRET_KEY_GEN, CKM_SHA256_HMAC}},
      {"hmac-sha384", {CKM_GENERIC_SECRET_KEY_GEN, CKM_SHA384_HMAC}},
      {"hmac-sha512", {CKM_GENERIC_SECRET_KEY_GEN, CKM_SHA512_HMAC}},
      {"ecdsa-p256", {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA}},
      {"ecdsa-p384", {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA}},
      {"rsa-pkcs1", {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS}},
      {"rsa-pss", {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS_PSS}},
      {"ed25519", {CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA}},
      {"aes-key-wrap-pad", {CKM_AES_KEY_WRAP_PAD}},
      {"sha2-digest", {CKM_SHA256, CKM_SHA384, CKM_SHA512}},
  };
  for (Capability& capability : all) {
    capability.supported =
        std::all_of(capability.mechanisms.begin(), capability.mechanisms.end(),
                    [&](CK_MECHANISM_TYPE m) { return mechanisms.Supports(m); });
  }
  return all;
}

}  // namespace yinjian::hsm
