// The machine's load when a benchmark ran, for its report: benchmarks here often share the
// machine with builds, and a number without the load it was measured under cannot be compared.
#ifndef YINJIAN_BENCH_LOAD_AVERAGE_H_
#define YINJIAN_BENCH_LOAD_AVERAGE_H_

#include <string>

namespace yinjian::bench {

// The 1, 5 and 15 minute load averages from /proc/loadavg, "1.52 1.20 0.98"; "unknown" if the
// file cannot be read.
std::string LoadAverage();

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_LOAD_AVERAGE_H_
