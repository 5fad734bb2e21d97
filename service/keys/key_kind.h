// The kinds of key Yinjian offers and the facts each needs: its family (encryption, MAC,
// signature), its algorithm, its size, and whether it can live in the HSM or only in software.
#ifndef YINJIAN_SERVICE_KEYS_KEY_KIND_H_
#define YINJIAN_SERVICE_KEYS_KEY_KIND_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/digest_algorithm.h"
#include "hsm/key_generation.h"
#include "hsm/mechanisms.h"
#include "hsm/signature_algorithm.h"

namespace yinjian::keys {

// Same members and meaning as yinjian.v1.KeyKind (proto/yinjian/v1/common.proto).
enum class KeyKind {
  kAes256Gcm, kSm4, kHmacSha256, kHmacSha384, kHmacSm3, kEcdsaP256, kEcdsaP384,
  kRsaPss2048, kRsaPss3072, kRsaPss4096, kRsaPkcs1_2048, kRsaPkcs1_3072, kRsaPkcs1_4096,
  kEd25519, kSm2,
};

enum class KeyFamily { kEncryption, kMac, kSignature };

// Where a version's material is used (yinjian.v1.ProtectionLevel).
enum class Protection { kHsm, kSoftware };

struct KindInfo {
  KeyKind kind;
  const char* name;            // CLI and store name, e.g. "aes256-gcm"
  KeyFamily family;
  bool software_only;          // the national algorithms: no PKCS#11 mechanism on SoftHSM
  size_t secret_bytes;         // symmetric material size (0 for key pairs)
  std::optional<hsm::SignatureAlgorithm> signature;
  std::optional<hsm::DigestAlgorithm> mac_digest;
  std::optional<hsm::EcCurve> curve;
  size_t rsa_bits;             // 0 unless RSA
};

const KindInfo& Info(KeyKind kind);
const std::vector<KindInfo>& AllKinds();
// INVALID_ARGUMENT for a name no kind has.
absl::StatusOr<KeyKind> KindFromName(absl::string_view name);
const char* ProtectionName(Protection protection);  // "hsm" / "software"
absl::StatusOr<Protection> ProtectionFromName(absl::string_view name);

// The PKCS#11 mechanisms a kind needs with Protection::kHsm.
std::vector<CK_MECHANISM_TYPE> RequiredMechanisms(KeyKind kind);

// The protection a new key gets. Unset: HSM for kinds the token supports, software for the
// software-only kinds. FAILED_PRECONDITION if HSM protection is asked for a kind the token cannot
// run, or software protection for a kind the HSM should hold (only the national algorithms may
// run in software).
absl::StatusOr<Protection> ChooseProtection(KeyKind kind, std::optional<Protection> requested,
                                            const hsm::MechanismSet& mechanisms);

}  // namespace yinjian::keys

#endif  // YINJIAN_SERVICE_KEYS_KEY_KIND_H_
