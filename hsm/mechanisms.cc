#include "hsm/mechanisms.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

struct MechanismNameEntry {
  CK_MECHANISM_TYPE mechanism;
  const char* name;
};

#define YJ_MECH(m) {m, #m}
constexpr MechanismNameEntry kNames[] = {
    YJ_MECH(CKM_RSA_PKCS_KEY_PAIR_GEN), YJ_MECH(CKM_RSA_PKCS), YJ_MECH(CKM_RSA_X_509),
    YJ_MECH(CKM_RSA_PKCS_OAEP), YJ_MECH(CKM_RSA_PKCS_PSS), YJ_MECH(CKM_SHA256_RSA_PKCS),
    YJ_MECH(CKM_SHA384_RSA_PKCS), YJ_MECH(CKM_SHA512_RSA_PKCS), YJ_MECH(CKM_SHA256_RSA_PKCS_PSS),
    YJ_MECH(CKM_SHA384_RSA_PKCS_PSS), YJ_MECH(CKM_SHA512_RSA_PKCS_PSS), YJ_MECH(CKM_SHA_1),
    YJ_MECH(CKM_SHA256), YJ_MECH(CKM_SHA384), YJ_MECH(CKM_SHA512), YJ_MECH(CKM_SHA256_HMAC),
    YJ_MECH(CKM_SHA384_HMAC), YJ_MECH(CKM_SHA512_HMAC), YJ_MECH(CKM_GENERIC_SECRET_KEY_GEN),
    YJ_MECH(CKM_EC_KEY_PAIR_GEN), YJ_MECH(CKM_ECDSA), YJ_MECH(CKM_ECDSA_SHA256),
    YJ_MECH(CKM_ECDSA_SHA384), YJ_MECH(CKM_ECDSA_SHA512), YJ_MECH(CKM_EC_EDWARDS_KEY_PAIR_GEN),
    YJ_MECH(CKM_EDDSA), YJ_MECH(CKM_AES_KEY_GEN), YJ_MECH(CKM_AES_ECB), YJ_MECH(CKM_AES_CBC),
    YJ_MECH(CKM_AES_CBC_PAD), YJ_MECH(CKM_AES_CTR), YJ_MECH(CKM_AES_GCM), YJ_MECH(CKM_AES_CMAC),
    YJ_MECH(CKM_AES_KEY_WRAP), YJ_MECH(CKM_AES_KEY_WRAP_PAD), YJ_MECH(CKM_ECDH1_DERIVE),
};
#undef YJ_MECH

}  // namespace

std::string MechanismName(CK_MECHANISM_TYPE mechanism) {
  for (const MechanismNameEntry& entry : kNames) {
    if (entry.mechanism == mechanism) return entry.name;
  }
  if (mechanism == 0x210B) return "CKM_AES_KEY_WRAP_KWP";  // PKCS#11 3.0 name
  return absl::StrFormat("CKM_0x%08X", mechanism);
}

absl::StatusOr<MechanismSet> MechanismSet::Probe(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot) {
  CK_ULONG count = 0;
  RETURN_IF_ERROR(P11_CALL(functions, C_GetMechanismList, slot, nullptr, &count));
  std::vector<CK_MECHANISM_TYPE> list(count);
  if (count > 0) {
    RETURN_IF_ERROR(P11_CALL(functions, C_GetMechanismList, slot, list.data(), &count));
    list.resize(count);
  }
  absl::flat_hash_map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> infos;
  for (CK_MECHANISM_TYPE mechanism : list) {
    CK_MECHANISM_INFO info = {};
    RETURN_IF_ERROR(P11_CALL(functions, C_GetMechanismInfo, slot, mechanism, &info));
    infos[mechanism] = info;
  }
  return FromInfos(std::move(infos));
}

MechanismSet MechanismSet::FromInfos(
    absl::flat_hash_map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> infos) {
  MechanismSet set;
  set.infos_ = std::move(infos);
  return set;
}

bool MechanismSet::SupportsWith(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const {
  const CK_MECHANISM_INFO* info = Info(mechanism);
  return info != nullptr && (info->flags & flags) == flags;
}

absl::Status MechanismSet::Require(CK_MECHANISM_TYPE mechanism, absl::string_view use) const {
  if (Supports(mechanism)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("token does not support ",
                                                    MechanismName(mechanism),
                                                    use.empty() ? "" : " for ", use));
}

const CK_MECHANISM_INFO* MechanismSet::Info(CK_MECHANISM_TYPE mechanism) const {
  auto it = infos_.find(mechanism);
  return it == infos_.end() ? nullptr : &it->second;
}

std::vector<CK_MECHANISM_TYPE> MechanismSet::List() const {
  std::vector<CK_MECHANISM_TYPE> list;
  list.reserve(infos_.size());
  for (const auto& [mechanism, info] : infos_) list.push_back(mechanism);
  std::sort(list.begin(), list.end());
  return list;
}

}  // namespace yinjian::hsm
