#include "bench/load_average.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace yinjian::bench {

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return in ? absl::StrCat(one, " ", five, " ", fifteen) : "unknown";
}

}  // namespace yinjian::bench
