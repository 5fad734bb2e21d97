// Which of Yinjian's algorithms a token can run, derived from its mechanism list. The server
// reports this at start, tests skip what a token lacks, and the service (later) refuses key
// kinds whose mechanisms are missing instead of failing at first use.
#ifndef YINJIAN_HSM_CAPABILITIES_H_
#define YINJIAN_HSM_CAPABILITIES_H_

#include <string>
#include <vector>

#include "hsm/mechanisms.h"

namespace yinjian::hsm {

struct Capability {
  std::string name;                         // e.g. "ecdsa-p256"
  std::vector<CK_MECHANISM_TYPE> mechanisms;  // all needed for the capability
  bool supported = false;
};

// Every capability Yinjian knows, in a fixed order, with `supported` filled in for `mechanisms`.
std::vector<Capability> DescribeCapabilities(const MechanismSet& mechanisms);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_CAPABILITIES_H_
