// Mac and VerifyMac: HMAC in the HSM (SHA-256, SHA-384), HMAC-SM3 in software. Tags are
// deterministic for one key version, so they serve as joinable pseudonyms (R14).
#ifndef YINJIAN_SERVICE_CORE_MAC_SERVICE_H_
#define YINJIAN_SERVICE_CORE_MAC_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/core/key_resolver.h"

namespace yinjian::core {

struct MacResult {
  std::string mac;
  KeyVersionInfo key_version;
};

struct VerifyMacResult {
  bool valid = false;
  KeyVersionInfo key_version;
};

class MacService {
 public:
  explicit MacService(KeyResolver& resolver) : resolver_(resolver) {}

  absl::StatusOr<MacResult> Mac(absl::string_view key, absl::string_view message);
  // Compared in constant time; a tag of the wrong length is simply not valid.
  absl::StatusOr<VerifyMacResult> VerifyMac(absl::string_view key, absl::string_view message,
                                            absl::string_view mac);

 private:
  KeyResolver& resolver_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_MAC_SERVICE_H_
