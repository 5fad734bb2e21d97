// A scratch directory for one test, removed with everything in it when the object dies.
#ifndef YINJIAN_TESTS_SUPPORT_TEMP_DIR_H_
#define YINJIAN_TESTS_SUPPORT_TEMP_DIR_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace yinjian::testing {

class TempDir {
 public:
  // Creates a fresh directory under $TMPDIR (or /tmp). INTERNAL if mkdtemp fails.
  static absl::StatusOr<TempDir> Create();

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

  // Returns path() / name.
  std::string File(std::string_view name) const;

  // Writes `data` to path() / name, replacing it; returns the full path.
  absl::StatusOr<std::string> WriteFile(std::string_view name,
                                        absl::Span<const uint8_t> data) const;
  absl::StatusOr<std::string> WriteFile(std::string_view name, std::string_view data) const;

  // Reads path() / name (or an absolute path) whole.
  absl::StatusOr<std::vector<uint8_t>> ReadFile(std::string_view name) const;

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
};

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_TEMP_DIR_H_
