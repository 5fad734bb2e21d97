#include "cli/access_names.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using Names = std::vector<std::string>;

TEST(AccessNamesTest, OperationsAreTheEightTheApiSpells) {
  EXPECT_EQ(OperationNames(), (Names{"encrypt", "decrypt", "generate-data-key", "sign", "verify",
                                     "mac", "verify-mac", "get-public-key"}));
}

TEST(AccessNamesTest, CheckNameAcceptsKnownNames) {
  YJ_EXPECT_OK(CheckName("role", "key-officer", RoleNames()));
  YJ_EXPECT_OK(CheckName("data level", "core", DataLevelNames()));
  YJ_EXPECT_OK(CheckName("sharing class", "unconditional", SharingClassNames()));
  YJ_EXPECT_OK(CheckName("grant state", "pending", GrantStateNames()));
}

TEST(AccessNamesTest, CheckNameRejectsOthersListingTheValidOnes) {
  const absl::Status status = CheckName("data level", "secret", DataLevelNames());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown data level \"secret\"; valid: general, important, core");
  // Names are exact: no case folding, no stray spaces.
  EXPECT_FALSE(CheckName("role", "Auditor", RoleNames()).ok());
  EXPECT_FALSE(CheckName("role", "auditor ", RoleNames()).ok());
  EXPECT_FALSE(CheckName("role", "", RoleNames()).ok());
}

TEST(AccessNamesTest, CheckNamesDropsRepeatsKeepingOrder) {
  YJ_ASSERT_OK_AND_ASSIGN(const Names names,
                          CheckNames("operation", {"sign", "verify", "sign"}, OperationNames()));
  EXPECT_EQ(names, (Names{"sign", "verify"}));
  YJ_ASSERT_OK_AND_ASSIGN(const Names none, CheckNames("operation", {}, OperationNames()));
  EXPECT_TRUE(none.empty());
}

TEST(AccessNamesTest, CheckNamesFailsOnTheFirstUnknownName) {
  const auto names = CheckNames("operation", {"sign", "wrap", "unwrap"}, OperationNames());
  ASSERT_FALSE(names.ok());
  EXPECT_NE(names.status().message().find("\"wrap\""), absl::string_view::npos);
}

TEST(AccessNamesTest, FingerprintsAreNormalizedToLowercaseHex) {
  const std::string hex(64, 'a');
  YJ_ASSERT_OK_AND_ASSIGN(const std::string plain, NormalizeFingerprint(hex));
  EXPECT_EQ(plain, hex);
  // As `openssl x509 -fingerprint -sha256` prints it.
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += (i == 0 ? "" : ":") + std::string("AA");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string from_colons, NormalizeFingerprint(colons));
  EXPECT_EQ(from_colons, hex);
  YJ_ASSERT_OK_AND_ASSIGN(const std::string trimmed, NormalizeFingerprint(" " + hex + "\n"));
  EXPECT_EQ(trimmed, hex);
}

TEST(AccessNamesTest, BadFingerprintsAreRejected) {
  for (const std::string& bad :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'),
        std::string(40, 'a'), std::string(32, 'a') + " " + std::string(32, 'a')}) {
    const auto fingerprint = NormalizeFingerprint(bad);
    ASSERT_FALSE(fingerprint.ok()) << bad;
    EXPECT_EQ(fingerprint.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace yinjian::cli
