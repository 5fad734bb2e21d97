// What a token can do, probed once with C_GetMechanismList / C_GetMechanismInfo. Callers ask
// before using a mechanism so that a token lacking one fails cleanly (FAILED_PRECONDITION)
// and tests can skip what the token under test does not offer.
#ifndef YINJIAN_HSM_MECHANISMS_H_
#define YINJIAN_HSM_MECHANISMS_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hsm/pkcs11.h"

namespace yinjian::hsm {

// "CKM_AES_GCM", or "CKM_0x..." for mechanisms this table does not name.
std::string MechanismName(CK_MECHANISM_TYPE mechanism);

class MechanismSet {
 public:
  MechanismSet() = default;
  static absl::StatusOr<MechanismSet> Probe(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot);
  // For unit tests and for configuration that restricts a token to fewer mechanisms.
  static MechanismSet FromInfos(absl::flat_hash_map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> infos);

  bool Supports(CK_MECHANISM_TYPE mechanism) const { return infos_.contains(mechanism); }
  // Supported and allowing every CKF_* flag in `flags` (e.g. CKF_SIGN, CKF_WRAP).
  bool SupportsWith(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const;
  // OK, or FAILED_PRECONDITION "token does not support <name>[ for <use>]".
  absl::Status Require(CK_MECHANISM_TYPE mechanism, absl::string_view use = {}) const;
  const CK_MECHANISM_INFO* Info(CK_MECHANISM_TYPE mechanism) const;
  std::vector<CK_MECHANISM_TYPE> List() const;  // sorted
  size_t size() const { return infos_.size(); }

 private:
  absl::flat_hash_map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> infos_;
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_MECHANISMS_H_
