#include "cli/key_kind_names.h"

#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace yinjian::cli {
namespace {

struct KindName {
  const char* name;
  v1::KeyKind kind;
};

constexpr std::array<KindName, 15> kKindNames = {{
    {"aes256-gcm", v1::KEY_KIND_AES256_GCM},
    {"sm4", v1::KEY_KIND_SM4},
    {"hmac-sha256", v1::KEY_KIND_HMAC_SHA256},
    {"hmac-sha384", v1::KEY_KIND_HMAC_SHA384},
    {"hmac-sm3", v1::KEY_KIND_HMAC_SM3},
    {"ecdsa-p256", v1::KEY_KIND_ECDSA_P256},
    {"ecdsa-p384", v1::KEY_KIND_ECDSA_P384},
    {"rsa-pss-2048", v1::KEY_KIND_RSA_PSS_2048},
    {"rsa-pss-3072", v1::KEY_KIND_RSA_PSS_3072},
    {"rsa-pss-4096", v1::KEY_KIND_RSA_PSS_4096},
    {"rsa-pkcs1-2048", v1::KEY_KIND_RSA_PKCS1_2048},
    {"rsa-pkcs1-3072", v1::KEY_KIND_RSA_PKCS1_3072},
    {"rsa-pkcs1-4096", v1::KEY_KIND_RSA_PKCS1_4096},
    {"ed25519", v1::KEY_KIND_ED25519},
    {"sm2", v1::KEY_KIND_SM2},
}};

}  // namespace

absl::StatusOr<v1::KeyKind> KeyKindFromName(absl::string_view name) {
  for (const KindName& entry : kKindNames) {
    if (name == entry.name) return entry.kind;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown key kind \"", name, "\"; valid kinds: ", absl::StrJoin(KeyKindNames(), ", ")));
}

std::string KeyKindName(v1::KeyKind kind) {
  for (const KindName& entry : kKindNames) {
    if (kind == entry.kind) return entry.name;
  }
  return "unspecified";
}

std::vector<std::string> KeyKindNames() {
  std::vector<std::string> names;
  for (const KindName& entry : kKindNames) names.emplace_back(entry.name);
  return names;
}

absl::StatusOr<v1::ProtectionLevel> ProtectionLevelFromName(absl::string_view name) {
  if (name == "hsm") return v1::PROTECTION_LEVEL_HSM;
  if (name == "software") return v1::PROTECTION_LEVEL_SOFTWARE;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown protection level \"", name, "\"; valid levels: hsm, software"));
}

std::string ProtectionLevelName(v1::ProtectionLevel level) {
  switch (level) {
    case v1::PROTECTION_LEVEL_HSM:
      return "hsm";
    case v1::PROTECTION_LEVEL_SOFTWARE:
      return "software";
    default:
      return "unspecified";
  }
}

absl::StatusOr<v1::DigestAlgorithm> DigestAlgorithmFromName(absl::string_view name) {
  if (name == "sha256") return v1::DIGEST_ALGORITHM_SHA256;
  if (name == "sha384") return v1::DIGEST_ALGORITHM_SHA384;
  if (name == "sha512") return v1::DIGEST_ALGORITHM_SHA512;
  if (name == "sm3") return v1::DIGEST_ALGORITHM_SM3;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown digest algorithm \"", name, "\"; valid algorithms: sha256, sha384, sha512, sm3"));
}

}  // namespace yinjian::cli
