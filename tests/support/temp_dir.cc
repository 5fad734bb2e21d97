#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"

namespace yinjian::testing {

absl::StatusOr<TempDir> TempDir::Create() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/yinjian_test_XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  return TempDir(std::filesystem::path(templ));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::File(std::string_view name) const { return (path_ / name).string(); }

absl::StatusOr<std::string> TempDir::WriteFile(std::string_view name,
                                               absl::Span<const uint8_t> data) const {
  std::string full = File(name);
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", full));
  return full;
}

absl::StatusOr<std::string> TempDir::WriteFile(std::string_view name, std::string_view data) const {
  return WriteFile(name,
                   absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

absl::StatusOr<std::vector<uint8_t>> TempDir::ReadFile(std::string_view name) const {
  const std::string full = File(name);  // operator/ keeps an absolute `name` as is
  std::ifstream in(full, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", full));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace yinjian::testing
