// Who is calling: the principal the server identified from the client certificate (R7).
#ifndef YINJIAN_SERVICE_ACCESS_CALLER_H_
#define YINJIAN_SERVICE_ACCESS_CALLER_H_

#include <string>

#include "policy/policy.h"

namespace yinjian::access {

struct Caller {
  policy::Principal principal;
  // SHA-256 of the client certificate that proved the identity; empty in development plaintext
  // mode, where nothing proves it.
  std::string certificate_fingerprint;
};

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_CALLER_H_
