// The SM2 audit log key in a real SoftHSM token: created once and found again, wrapped by an AES
// key the HSM never releases, its signatures verify with OpenSSL's SM2, and a damaged or
// duplicated stored key is refused instead of being silently replaced.
#include "service/audit/sm2_log_key.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "hsm/attributes.h"
#include "hsm/objects.h"
#include "hsm/sm2.h"
#include "service/audit/note_keys.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::audit {
namespace {

class Sm2LogKeyTest : public yinjian::testing::TokenTest {
 protected:
  // Every test starts from a token without the SM2 log key.
  void SetUp() override {
    TokenTest::SetUp();
    for (const hsm::ObjectQuery& query : {DataQuery(), WrappingKeyQuery()}) {
      for (CK_OBJECT_HANDLE handle : Find(query)) {
        YJ_ASSERT_OK(hsm::DestroyObject(token(), handle));
      }
    }
  }

  static hsm::ObjectQuery DataQuery() {
    return {.object_class = CKO_DATA, .label = std::string(kSm2LogKeyLabel)};
  }
  static hsm::ObjectQuery WrappingKeyQuery() {
    return {.object_class = CKO_SECRET_KEY,
            .id = hsm::ToBytes(absl::string_view(kSm2LogWrappingKeyId))};
  }
  std::vector<CK_OBJECT_HANDLE> Find(const hsm::ObjectQuery& query) {
    absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> found = hsm::FindObjects(token(), query);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<CK_OBJECT_HANDLE>();
  }

  // Adds a data object with the key's label holding `value`.
  void AddDataObject(const hsm::Bytes& value) {
    hsm::AttributeTemplate data;
    data.SetUlong(CKA_CLASS, CKO_DATA)
        .SetBool(CKA_TOKEN, true)
        .SetBool(CKA_PRIVATE, true)
        .SetString(CKA_LABEL, kSm2LogKeyLabel)
        .SetBytes(CKA_VALUE, value);
    YJ_ASSERT_OK_AND_ASSIGN(hsm::ScopedObject object, hsm::CreateObject(token(), data));
    object.Keep();
  }
};

TEST_F(Sm2LogKeyTest, IsCreatedOnceAndFoundAgain) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> first, Sm2LogKey::OpenOrCreate(token()));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> again, Sm2LogKey::OpenOrCreate(token()));
  EXPECT_EQ(first->public_key_spki(), again->public_key_spki());
  EXPECT_TRUE(absl::StartsWith(first->public_key_pem(), "-----BEGIN PUBLIC KEY-----"));
  // An SM2 key: a signed-note key ID exists for it as type SM2, and not as ECDSA P-256.
  YJ_EXPECT_OK(NoteKeyId(NoteKeyType::kSm2, "yinjian.test/audit", first->public_key_spki()));
  EXPECT_FALSE(
      NoteKeyId(NoteKeyType::kEcdsaP256, "yinjian.test/audit", first->public_key_spki()).ok());
  EXPECT_EQ(Find(DataQuery()).size(), 1u);
  EXPECT_EQ(Find(WrappingKeyQuery()).size(), 1u);
}

TEST_F(Sm2LogKeyTest, TheWrappingKeyStaysInTheHsmAndTheStoredKeyIsNotPlain) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> key, Sm2LogKey::OpenOrCreate(token()));
  const std::vector<CK_OBJECT_HANDLE> wrapping = Find(WrappingKeyQuery());
  ASSERT_EQ(wrapping.size(), 1u);
  YJ_ASSERT_OK_AND_ASSIGN(bool sensitive,
                          hsm::ReadBoolAttribute(token(), wrapping[0], CKA_SENSITIVE));
  YJ_ASSERT_OK_AND_ASSIGN(bool extractable,
                          hsm::ReadBoolAttribute(token(), wrapping[0], CKA_EXTRACTABLE));
  YJ_ASSERT_OK_AND_ASSIGN(bool token_object,
                          hsm::ReadBoolAttribute(token(), wrapping[0], CKA_TOKEN));
  EXPECT_TRUE(sensitive);
  EXPECT_FALSE(extractable);
  EXPECT_TRUE(token_object);
  const std::vector<CK_OBJECT_HANDLE> data = Find(DataQuery());
  ASSERT_EQ(data.size(), 1u);
  YJ_ASSERT_OK_AND_ASSIGN(bool is_private, hsm::ReadBoolAttribute(token(), data[0], CKA_PRIVATE));
  EXPECT_TRUE(is_private);
  // What the token keeps is the RFC 5649 output of the wrapping, which does not contain the
  // key's public point.
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes stored, hsm::ReadBytesAttribute(token(), data[0], CKA_VALUE));
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.size() % 8, 0u) << "RFC 5649 output is a multiple of 8 bytes";
  EXPECT_EQ(std::search(stored.begin(), stored.end(), key->public_key_spki().end() - 64,
                        key->public_key_spki().end()),
            stored.end());
}

TEST_F(Sm2LogKeyTest, SignaturesVerifyAsSm2WithSm3) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> key, Sm2LogKey::OpenOrCreate(token()));
  const hsm::Bytes message = hsm::ToBytes(absl::string_view("yinjian.test/audit\n7\nroot\n"));
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes signature, key->Sign(message));
  EXPECT_EQ(signature[0], 0x30) << "a DER SEQUENCE { r, s }";
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, hsm::Sm2Verify(key->public_key_spki(), message, signature));
  EXPECT_TRUE(valid);
  hsm::Bytes other = message;
  other.back() ^= 1;
  YJ_ASSERT_OK_AND_ASSIGN(bool forged, hsm::Sm2Verify(key->public_key_spki(), other, signature));
  EXPECT_FALSE(forged);
}

TEST_F(Sm2LogKeyTest, AnAlteredStoredKeyIsRefused) {
  YJ_ASSERT_OK(Sm2LogKey::OpenOrCreate(token()).status());
  std::vector<CK_OBJECT_HANDLE> data = Find(DataQuery());
  ASSERT_EQ(data.size(), 1u);
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes stored, hsm::ReadBytesAttribute(token(), data[0], CKA_VALUE));
  // The object is not modifiable: replace it with a copy that has one bit flipped.
  YJ_ASSERT_OK(hsm::DestroyObject(token(), data[0]));
  stored[stored.size() / 2] ^= 0x01;
  AddDataObject(stored);
  absl::StatusOr<std::unique_ptr<Sm2LogKey>> opened = Sm2LogKey::OpenOrCreate(token());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << opened.status();
  EXPECT_TRUE(absl::StrContains(opened.status().message(), kSm2LogKeyLabel)) << opened.status();
  // Nothing was replaced behind the operator's back.
  EXPECT_EQ(Find(DataQuery()).size(), 1u);
}

TEST_F(Sm2LogKeyTest, TwoStoredKeysAreRefused) {
  YJ_ASSERT_OK(Sm2LogKey::OpenOrCreate(token()).status());
  AddDataObject(hsm::Bytes(40, 0x5a));
  absl::StatusOr<std::unique_ptr<Sm2LogKey>> opened = Sm2LogKey::OpenOrCreate(token());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition) << opened.status();
}

TEST_F(Sm2LogKeyTest, AKeyWithoutItsWrappingKeyIsRefused) {
  YJ_ASSERT_OK(Sm2LogKey::OpenOrCreate(token()).status());
  for (CK_OBJECT_HANDLE handle : Find(WrappingKeyQuery())) {
    YJ_ASSERT_OK(hsm::DestroyObject(token(), handle));
  }
  absl::StatusOr<std::unique_ptr<Sm2LogKey>> opened = Sm2LogKey::OpenOrCreate(token());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kNotFound) << opened.status();
}

}  // namespace
}  // namespace yinjian::audit
