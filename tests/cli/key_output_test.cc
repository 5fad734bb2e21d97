#include "cli/key_output.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "cli/key_policy_flags.h"

namespace yinjian::cli {
namespace {

// finance/rotating, rotated twice: version 1 disabled, 2 enabled but below the minimum decrypt
// version 3, 3 primary; rotation every 90 days.
v1::Key RotatedKey() {
  v1::Key key;
  key.set_name("finance/rotating");
  key.set_kind(v1::KEY_KIND_AES256_GCM);
  key.set_protection_level(v1::PROTECTION_LEVEL_HSM);
  key.set_primary_version(3);
  key.set_description("ledger");
  key.mutable_create_time()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  key.set_min_decrypt_version(3);
  key.mutable_rotation_period()->set_seconds(90 * 86400);
  key.mutable_next_rotation_time()->set_seconds(1775001600);  // 2026-04-01T00:00:00Z
  const v1::KeyVersion::State states[] = {
      v1::KeyVersion::STATE_DISABLED, v1::KeyVersion::STATE_ENABLED, v1::KeyVersion::STATE_ENABLED};
  for (int i = 0; i < 3; ++i) {
    v1::KeyVersion* version = key.add_versions();
    version->set_version(i + 1);
    version->set_state(states[i]);
    version->mutable_create_time()->set_seconds(1767225600 + i * 86400);
  }
  return key;
}

TEST(KeyOutputTest, KeyTableShowsTheRotationPeriod) {
  google::protobuf::RepeatedPtrField<v1::Key> keys;
  *keys.Add() = RotatedKey();
  v1::Key* plain = keys.Add();
  plain->set_name("finance/docs");
  plain->set_kind(v1::KEY_KIND_SM4);
  plain->set_protection_level(v1::PROTECTION_LEVEL_SOFTWARE);
  plain->set_primary_version(1);
  EXPECT_EQ(RenderTable(KeyTable(keys)),
            "NAME              KIND        PROTECTION  PRIMARY  LEVEL    SHARING  ROTATION  CREATED"
            "               DESCRIPTION\n"
            "finance/rotating  aes256-gcm  hsm         3        general  none     90d       "
            "2026-01-01T00:00:00Z  ledger\n"
            "finance/docs      sm4         software    1        general  none     -         -\n");
}

TEST(KeyOutputTest, LifecycleTableShowsWhatIsSet) {
  v1::Key rotated = RotatedKey();
  rotated.set_origin("generated");
  EXPECT_EQ(RenderTable(KeyLifecycleTable(rotated)),
            "ORIGIN     MIN DECRYPT VERSION  ROTATION PERIOD  NEXT ROTATION\n"
            "generated  3                    90d              2026-04-01T00:00:00Z\n");
  v1::Key plain;
  plain.set_name("finance/docs");
  EXPECT_EQ(RenderTable(KeyLifecycleTable(plain)),
            "ORIGIN  MIN DECRYPT VERSION  ROTATION PERIOD  NEXT ROTATION\n"
            "-       -                    -                -\n");
}

TEST(KeyOutputTest, VersionsTableMarksThePrimaryAndRetiredVersions) {
  EXPECT_EQ(RenderTable(KeyVersionsTable(RotatedKey())),
            "VERSION  STATE     CREATED               NOTE\n"
            "1        disabled  2026-01-01T00:00:00Z\n"
            "2        enabled   2026-01-02T00:00:00Z  below minimum decrypt version\n"
            "3        enabled   2026-01-03T00:00:00Z  primary\n");
}

TEST(KeyOutputTest, APrimaryBelowTheMinimumIsMarkedAsBoth) {
  v1::Key key = RotatedKey();
  key.set_primary_version(2);
  const Table versions = KeyVersionsTable(key);
  ASSERT_EQ(versions.rows.size(), 3u);
  EXPECT_EQ(versions.rows[1][3], "primary; below minimum decrypt version");
  EXPECT_EQ(versions.rows[2][3], "");
}

TEST(KeyOutputTest, DetailIsKeyPolicyLifecycleAndVersions) {
  const v1::Key key = RotatedKey();
  const std::string detail = KeyDetail(key);
  google::protobuf::RepeatedPtrField<v1::Key> one;
  *one.Add() = key;
  EXPECT_EQ(detail, RenderTable(KeyTable(one)) + "\n" + RenderTable(KeyPolicyTable(key.policy())) +
                        "\n" + RenderTable(KeyLifecycleTable(key)) + "\n" +
                        RenderTable(KeyVersionsTable(key)));
  EXPECT_TRUE(absl::StrContains(detail, "LEVEL    SHARING  OPERATIONS")) << detail;
}

}  // namespace
}  // namespace yinjian::cli
