#include "cli/key_kind_names.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

struct KindCase {
  const char* name;
  v1::KeyKind kind;
};

class KeyKindNamesTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(KeyKindNamesTest, MapsBothWays) {
  YJ_ASSERT_OK_AND_ASSIGN(const v1::KeyKind kind, KeyKindFromName(GetParam().name));
  EXPECT_EQ(kind, GetParam().kind);
  EXPECT_EQ(KeyKindName(GetParam().kind), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, KeyKindNamesTest,
                         ::testing::Values(KindCase{"aes256-gcm", v1::KEY_KIND_AES256_GCM},
                                           KindCase{"sm4", v1::KEY_KIND_SM4},
                                           KindCase{"hmac-sha256", v1::KEY_KIND_HMAC_SHA256},
                                           KindCase{"hmac-sha384", v1::KEY_KIND_HMAC_SHA384},
                                           KindCase{"hmac-sm3", v1::KEY_KIND_HMAC_SM3},
                                           KindCase{"ecdsa-p256", v1::KEY_KIND_ECDSA_P256},
                                           KindCase{"ecdsa-p384", v1::KEY_KIND_ECDSA_P384},
                                           KindCase{"rsa-pss-2048", v1::KEY_KIND_RSA_PSS_2048},
                                           KindCase{"rsa-pss-3072", v1::KEY_KIND_RSA_PSS_3072},
                                           KindCase{"rsa-pss-4096", v1::KEY_KIND_RSA_PSS_4096},
                                           KindCase{"rsa-pkcs1-2048", v1::KEY_KIND_RSA_PKCS1_2048},
                                           KindCase{"rsa-pkcs1-3072", v1::KEY_KIND_RSA_PKCS1_3072},
                                           KindCase{"rsa-pkcs1-4096", v1::KEY_KIND_RSA_PKCS1_4096},
                                           KindCase{"ed25519", v1::KEY_KIND_ED25519},
                                           KindCase{"sm2", v1::KEY_KIND_SM2}));

TEST(KeyKindNamesListTest, CoversEverySpecifiedEnumValueOnce) {
  const std::vector<std::string> names = KeyKindNames();
  EXPECT_EQ(names.size(), 15u);
  std::set<v1::KeyKind> kinds;
  for (const std::string& name : names) {
    YJ_ASSERT_OK_AND_ASSIGN(const v1::KeyKind kind, KeyKindFromName(name));
    kinds.insert(kind);
  }
  EXPECT_EQ(kinds.size(), names.size());
  // Every KeyKind the proto defines, except UNSPECIFIED, has a name.
  const auto* descriptor = v1::KeyKind_descriptor();
  EXPECT_EQ(static_cast<size_t>(descriptor->value_count() - 1), kinds.size());
}

TEST(KeyKindNamesListTest, UnknownKindListsTheValidOnes) {
  const auto kind = KeyKindFromName("AES256-GCM");  // names are case-sensitive
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(kind.status().message().find("\"AES256-GCM\""), absl::string_view::npos);
  EXPECT_NE(kind.status().message().find("aes256-gcm, sm4,"), absl::string_view::npos);
  EXPECT_NE(kind.status().message().find("ed25519, sm2"), absl::string_view::npos);
}

TEST(KeyKindNamesListTest, ProtectionAndDigestNames) {
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ProtectionLevel hsm, ProtectionLevelFromName("hsm"));
  EXPECT_EQ(hsm, v1::PROTECTION_LEVEL_HSM);
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ProtectionLevel sw, ProtectionLevelFromName("software"));
  EXPECT_EQ(sw, v1::PROTECTION_LEVEL_SOFTWARE);
  EXPECT_FALSE(ProtectionLevelFromName("cloud").ok());
  YJ_ASSERT_OK_AND_ASSIGN(const v1::DigestAlgorithm sm3, DigestAlgorithmFromName("sm3"));
  EXPECT_EQ(sm3, v1::DIGEST_ALGORITHM_SM3);
  YJ_ASSERT_OK_AND_ASSIGN(const v1::DigestAlgorithm sha384, DigestAlgorithmFromName("sha384"));
  EXPECT_EQ(sha384, v1::DIGEST_ALGORITHM_SHA384);
  EXPECT_FALSE(DigestAlgorithmFromName("md5").ok());
}

}  // namespace
}  // namespace yinjian::cli
