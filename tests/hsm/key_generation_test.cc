#include "hsm/key_generation.h"

#include <gtest/gtest.h>

#include "hsm/objects.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

class KeyGenerationTest : public testing::TokenTest {
 protected:
  bool Attr(const ScopedObject& key, CK_ATTRIBUTE_TYPE type) {
    absl::StatusOr<bool> value = ReadBoolAttribute(token(), key.handle(), type);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.value_or(false);
  }
};

TEST_F(KeyGenerationTest, AesKeyHasTheTemplatesSecurityAttributes) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key,
                          GenerateAesKey(token(), 32, {.label = "aes", .id = ToBytes("aes-1")}));
  EXPECT_TRUE(Attr(key, CKA_SENSITIVE));
  EXPECT_FALSE(Attr(key, CKA_EXTRACTABLE));
  EXPECT_TRUE(Attr(key, CKA_NEVER_EXTRACTABLE));
  EXPECT_TRUE(Attr(key, CKA_ENCRYPT));
  EXPECT_FALSE(Attr(key, CKA_SIGN));
  EXPECT_FALSE(Attr(key, CKA_TOKEN));
  YJ_ASSERT_OK_AND_ASSIGN(CK_ULONG length, ReadUlongAttribute(token(), key.handle(),
                                                              CKA_VALUE_LEN));
  EXPECT_EQ(length, 32u);
  // The key value itself can never be read.
  absl::StatusOr<Bytes> value = ReadBytesAttribute(token(), key.handle(), CKA_VALUE);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kFailedPrecondition) << value.status();
}

TEST_F(KeyGenerationTest, EveryKindGenerates) {
  YJ_EXPECT_OK(GenerateAesKey(token(), 16, {}));
  YJ_EXPECT_OK(GenerateAesKey(token(), 24, {}));
  YJ_EXPECT_OK(GenerateGenericSecret(token(), 32, {}));
  YJ_EXPECT_OK(GenerateGenericSecret(token(), 64, {}));
  YJ_EXPECT_OK(GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  YJ_EXPECT_OK(GenerateEcKeyPair(token(), EcCurve::kP384, {}));
  YJ_EXPECT_OK(GenerateEd25519KeyPair(token(), {}));
  for (size_t bits : {2048, 3072, 4096}) {
    YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateRsaKeyPair(token(), bits, {}));
    YJ_ASSERT_OK_AND_ASSIGN(Bytes modulus, ReadBytesAttribute(token(), pair.public_key.handle(),
                                                              CKA_MODULUS));
    EXPECT_EQ(modulus.size() * 8, bits);
  }
}

TEST_F(KeyGenerationTest, RejectsBadSizes) {
  EXPECT_EQ(GenerateAesKey(token(), 20, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateGenericSecret(token(), 20, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateGenericSecret(token(), 8, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateRsaKeyPair(token(), 1024, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyGenerationTest, PrivateKeyIsSensitiveAndPublicIsNot) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  EXPECT_TRUE(Attr(pair.private_key, CKA_SENSITIVE));
  EXPECT_FALSE(Attr(pair.private_key, CKA_EXTRACTABLE));
  EXPECT_TRUE(Attr(pair.private_key, CKA_SIGN));
  EXPECT_FALSE(Attr(pair.private_key, CKA_DECRYPT));
  EXPECT_TRUE(Attr(pair.public_key, CKA_VERIFY));
  EXPECT_FALSE(Attr(pair.public_key, CKA_PRIVATE));
  YJ_EXPECT_OK(ReadBytesAttribute(token(), pair.public_key.handle(), CKA_EC_POINT));
}

TEST_F(KeyGenerationTest, ScopedObjectsLeaveNoOrphans) {
  const size_t before = CountObjects();
  {
    YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes, GenerateAesKey(token(), 32, {.token_object = true}));
    YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
    EXPECT_EQ(CountObjects(), before + 3);
  }
  EXPECT_EQ(CountObjects(), before);
}

TEST_F(KeyGenerationTest, KeptObjectsPersistAndAreFoundByIdAndLabel) {
  CK_OBJECT_HANDLE kept;
  {
    YJ_ASSERT_OK_AND_ASSIGN(
        ScopedObject key, GenerateAesKey(token(), 32, {.label = "dept-root", .id = ToBytes("r1"),
                                                       .token_object = true,
                                                       .usage = kUsageWrap | kUsageUnwrap}));
    kept = key.Keep();
  }
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE by_id,
                          FindObject(token(), {.object_class = CKO_SECRET_KEY,
                                               .id = ToBytes("r1")}));
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE by_label, FindObject(token(), {.label = "dept-root"}));
  EXPECT_EQ(by_id, kept);
  EXPECT_EQ(by_label, kept);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<CK_OBJECT_HANDLE> token_objects,
                          FindObjects(token(), {.label = "dept-root", .token_object = true}));
  EXPECT_EQ(token_objects.size(), 1u);
  YJ_ASSERT_OK(DestroyObject(token(), kept));
  EXPECT_EQ(FindObject(token(), {.label = "dept-root"}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(DestroyObject(token(), kept).code(), absl::StatusCode::kNotFound);
}

TEST_F(KeyGenerationTest, DuplicateIdentitiesAreReported) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject a, GenerateAesKey(token(), 16, {.label = "twin"}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject b, GenerateAesKey(token(), 16, {.label = "twin"}));
  EXPECT_EQ(FindObject(token(), {.label = "twin"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace yinjian::hsm
