#include "service/keys/version_material.h"

#include <gtest/gtest.h>

#include "hsm/aes_gcm.h"
#include "hsm/hmac.h"
#include "hsm/objects.h"
#include "hsm/signing.h"
#include "hsm/sm2.h"
#include "hsm/sm3.h"
#include "hsm/sm4_aead.h"
#include "hsm/software_verify.h"
#include "service/keys/key_kind.h"
#include "service/keys/root_key.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::keys {
namespace {

using hsm::Bytes;
using hsm::ToBytes;

class VersionMaterialTest : public testing::TokenTest {
 protected:
  static void SetUpTestSuite() {
    TokenTest::SetUpTestSuite();
    (void)CreateRootKey(token(), "finance", 1);
    (void)CreateRootKey(token(), "tax", 1);
  }

  // Uses a loaded version once, in the way its family allows, and checks the result.
  void ExerciseLoadedVersion(const LoadedVersion& loaded, const VersionMaterial& material) {
    const KindInfo& info = Info(loaded.kind);
    const Bytes message = ToBytes("municipal data, graded important");
    if (info.family == KeyFamily::kEncryption && loaded.protection == Protection::kHsm) {
      YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed,
                              hsm::AesGcmEncrypt(token(), loaded.hsm_handle, message, {}));
      YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes opened,
                              hsm::AesGcmDecrypt(token(), loaded.hsm_handle, sealed, {}));
      EXPECT_EQ(Bytes(opened.begin(), opened.end()), message);
    } else if (info.family == KeyFamily::kEncryption) {
      YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, hsm::Sm4AeadEncrypt(loaded.software_key, message, {}));
      YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes opened,
                              hsm::Sm4AeadDecrypt(loaded.software_key, sealed, {}));
      EXPECT_EQ(Bytes(opened.begin(), opened.end()), message);
    } else if (info.family == KeyFamily::kMac && loaded.protection == Protection::kHsm) {
      YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, hsm::HmacSign(token(), loaded.hsm_handle,
                                                       *info.mac_digest, message));
      EXPECT_EQ(tag.size(), hsm::DigestLength(*info.mac_digest));
    } else if (info.family == KeyFamily::kMac) {
      EXPECT_EQ(loaded.software_key.size(), info.secret_bytes);
      YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, hsm::HmacSm3(loaded.software_key, message));
      EXPECT_EQ(tag.size(), 32u);
    } else {
      Bytes signature;
      if (loaded.protection == Protection::kHsm) {
        YJ_ASSERT_OK_AND_ASSIGN(signature, hsm::SignMessage(token(), loaded.hsm_handle,
                                                            *info.signature, message));
      } else {
        YJ_ASSERT_OK_AND_ASSIGN(signature, hsm::Sm2Sign(loaded.software_key, message));
      }
      YJ_ASSERT_OK_AND_ASSIGN(bool valid, hsm::VerifySignature(material.public_key_spki,
                                                               *info.signature, message,
                                                               signature));
      EXPECT_TRUE(valid) << info.name;
    }
  }
};

TEST_F(VersionMaterialTest, EveryKindRoundTripsThroughTheRootKey) {
  hsm::KeyRef root = RootKeyRef(token(), RootKeyId("finance", 1));
  size_t objects_before = CountObjects();
  for (const KindInfo& info : AllKinds()) {
    SCOPED_TRACE(info.name);
    YJ_ASSERT_OK_AND_ASSIGN(Protection protection,
                            ChooseProtection(info.kind, std::nullopt, token().mechanisms()));
    EXPECT_EQ(protection == Protection::kSoftware, info.software_only);
    YJ_ASSERT_OK_AND_ASSIGN(VersionMaterial material,
                            GenerateVersionMaterial(token(), root, info.kind, protection));
    // Stored wrapped, or (where the token cannot wrap the kind) resident in the HSM.
    EXPECT_NE(material.wrapped.empty(), material.hsm_object_id.empty());
    EXPECT_EQ(material.public_key_spki.empty(), info.family != KeyFamily::kSignature);
    {
      YJ_ASSERT_OK_AND_ASSIGN(LoadedVersion loaded,
                              LoadVersion(token(), root, info.kind, protection, material));
      ExerciseLoadedVersion(loaded, material);
      if (protection == Protection::kHsm) {
        YJ_ASSERT_OK_AND_ASSIGN(bool sensitive, hsm::ReadBoolAttribute(
                                                    token(), loaded.hsm_handle,
                                                    CKA_SENSITIVE));
        YJ_ASSERT_OK_AND_ASSIGN(bool extractable, hsm::ReadBoolAttribute(
                                                      token(), loaded.hsm_handle,
                                                      CKA_EXTRACTABLE));
        EXPECT_TRUE(sensitive);
        EXPECT_FALSE(extractable);
      }
    }
    // Generation and use leave nothing behind in the HSM but a resident key pair.
    if (material.hsm_object_id.empty()) {
      EXPECT_EQ(CountObjects(), objects_before);
    } else {
      EXPECT_EQ(CountObjects(), objects_before + 2);
      objects_before += 2;
    }
  }
}

TEST_F(VersionMaterialTest, MaterialIsBoundToItsDepartmentsRootKey) {
  hsm::KeyRef finance = RootKeyRef(token(), RootKeyId("finance", 1));
  hsm::KeyRef tax = RootKeyRef(token(), RootKeyId("tax", 1));
  for (KeyKind kind : {KeyKind::kAes256Gcm, KeyKind::kEcdsaP256, KeyKind::kSm2}) {
    const KindInfo& info = Info(kind);
    SCOPED_TRACE(info.name);
    Protection protection = info.software_only ? Protection::kSoftware : Protection::kHsm;
    YJ_ASSERT_OK_AND_ASSIGN(VersionMaterial material,
                            GenerateVersionMaterial(token(), finance, kind, protection));
    EXPECT_EQ(LoadVersion(token(), tax, kind, protection, material).status().code(),
              absl::StatusCode::kInvalidArgument);
    VersionMaterial tampered = material;
    tampered.wrapped[tampered.wrapped.size() / 2] ^= 1;
    EXPECT_EQ(LoadVersion(token(), finance, kind, protection, tampered).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST_F(VersionMaterialTest, RootKeyIsAPersistentWrapOnlyTokenKey) {
  hsm::KeyRef root = RootKeyRef(token(), RootKeyId("finance", 1));
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE handle, root.Handle());
  for (auto [attribute, expected] : {std::pair{CKA_TOKEN, true}, {CKA_SENSITIVE, true},
                                     {CKA_EXTRACTABLE, false}, {CKA_WRAP, true},
                                     {CKA_UNWRAP, true}, {CKA_ENCRYPT, false},
                                     {CKA_DECRYPT, false}, {CKA_SIGN, false}}) {
    YJ_ASSERT_OK_AND_ASSIGN(bool value, hsm::ReadBoolAttribute(token(), handle, attribute));
    EXPECT_EQ(value, expected) << "attribute 0x" << std::hex << attribute;
  }
  EXPECT_EQ(CreateRootKey(token(), "finance", 1).status().code(),
            absl::StatusCode::kAlreadyExists);
  hsm::KeyRef missing = RootKeyRef(token(), RootKeyId("nobody", 1));
  EXPECT_EQ(GenerateVersionMaterial(token(), missing, KeyKind::kAes256Gcm, Protection::kHsm)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(VersionMaterialTest, ProtectionRules) {
  const hsm::MechanismSet& m = token().mechanisms();
  EXPECT_EQ(ChooseProtection(KeyKind::kSm2, Protection::kHsm, m).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChooseProtection(KeyKind::kAes256Gcm, Protection::kSoftware, m).status().code(),
            absl::StatusCode::kFailedPrecondition);
  hsm::MechanismSet without_gcm = hsm::MechanismSet::FromInfos({{CKM_AES_KEY_GEN, {}}});
  absl::StatusOr<Protection> lacking = ChooseProtection(KeyKind::kAes256Gcm, {}, without_gcm);
  EXPECT_EQ(lacking.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(lacking.status().message().find("CKM_AES_GCM"), absl::string_view::npos);
  hsm::KeyRef root = RootKeyRef(token(), RootKeyId("finance", 1));
  EXPECT_EQ(GenerateVersionMaterial(token(), root, KeyKind::kSm4, Protection::kHsm)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KeyKindTest, NamesRoundTripAndAreUnique) {
  std::set<std::string> names;
  for (const KindInfo& info : AllKinds()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    YJ_ASSERT_OK_AND_ASSIGN(KeyKind kind, KindFromName(info.name));
    EXPECT_EQ(kind, info.kind);
    EXPECT_EQ(Info(kind).name, std::string(info.name));
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(KindFromName("aes128").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProtectionFromName("cloud").status().code(), absl::StatusCode::kInvalidArgument);
  YJ_EXPECT_OK(ProtectionFromName("software"));
}

}  // namespace
}  // namespace yinjian::keys
