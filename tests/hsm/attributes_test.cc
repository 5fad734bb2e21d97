#include "hsm/attributes.h"

#include <gtest/gtest.h>

#include "hsm/key_generation.h"

namespace yinjian::hsm {
namespace {

TEST(AttributeTemplateTest, SetReplacesAndValuesStayValid) {
  AttributeTemplate t;
  t.SetBool(CKA_TOKEN, true).SetUlong(CKA_CLASS, CKO_SECRET_KEY).SetString(CKA_LABEL, "a");
  for (int i = 0; i < 100; ++i) t.SetBytes(CKA_ID, Bytes(i + 1, 0x5a));  // grow storage
  t.SetBool(CKA_TOKEN, false);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.GetBool(CKA_TOKEN), false);
  EXPECT_EQ(t.GetUlong(CKA_CLASS), CKO_SECRET_KEY);
  EXPECT_EQ(t.GetBytes(CKA_LABEL), ToBytes("a"));
  EXPECT_EQ(t.GetBytes(CKA_ID), Bytes(100, 0x5a));
  EXPECT_FALSE(t.GetBool(CKA_SIGN).has_value());
  // Moving keeps the pointers handed to PKCS#11 valid.
  AttributeTemplate moved = std::move(t);
  EXPECT_EQ(moved.GetBytes(CKA_LABEL), ToBytes("a"));
}

TEST(KeyTemplatesTest, AesKeyIsSensitiveNonExtractableEncryptDecryptOnly) {
  AttributeTemplate t = SecretKeyTemplate(CKK_AES, 32, {.label = "k", .id = {1, 2}});
  EXPECT_EQ(t.GetUlong(CKA_CLASS), CKO_SECRET_KEY);
  EXPECT_EQ(t.GetUlong(CKA_KEY_TYPE), CKK_AES);
  EXPECT_EQ(t.GetUlong(CKA_VALUE_LEN), 32u);
  EXPECT_EQ(t.GetBool(CKA_SENSITIVE), true);
  EXPECT_EQ(t.GetBool(CKA_EXTRACTABLE), false);
  EXPECT_EQ(t.GetBool(CKA_PRIVATE), true);
  EXPECT_EQ(t.GetBool(CKA_TOKEN), false);
  EXPECT_EQ(t.GetBool(CKA_ENCRYPT), true);
  EXPECT_EQ(t.GetBool(CKA_DECRYPT), true);
  for (CK_ATTRIBUTE_TYPE off : {CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_DERIVE}) {
    EXPECT_EQ(t.GetBool(off), false) << off;
  }
  EXPECT_EQ(t.GetBytes(CKA_ID), (Bytes{1, 2}));
}

TEST(KeyTemplatesTest, RootKeyUsageIsWrapUnwrapOnly) {
  AttributeTemplate t = SecretKeyTemplate(
      CKK_AES, 32, {.token_object = true, .usage = kUsageWrap | kUsageUnwrap});
  EXPECT_EQ(t.GetBool(CKA_TOKEN), true);
  EXPECT_EQ(t.GetBool(CKA_WRAP), true);
  EXPECT_EQ(t.GetBool(CKA_UNWRAP), true);
  EXPECT_EQ(t.GetBool(CKA_ENCRYPT), false);
  EXPECT_EQ(t.GetBool(CKA_DECRYPT), false);
}

TEST(KeyTemplatesTest, HmacKeyDefaultsToSignVerify) {
  AttributeTemplate t = SecretKeyTemplate(CKK_GENERIC_SECRET, 32, {.extractable = true});
  EXPECT_EQ(t.GetBool(CKA_SIGN), true);
  EXPECT_EQ(t.GetBool(CKA_VERIFY), true);
  EXPECT_EQ(t.GetBool(CKA_ENCRYPT), false);
  EXPECT_EQ(t.GetBool(CKA_EXTRACTABLE), true);
  EXPECT_EQ(t.GetBool(CKA_SENSITIVE), true);  // extractable still means wrapped, never plain
}

TEST(KeyTemplatesTest, UnwrapTemplateOmitsValueLength) {
  EXPECT_FALSE(SecretKeyTemplate(CKK_AES, 0, {}).Has(CKA_VALUE_LEN));
}

TEST(KeyTemplatesTest, EcPairSplitsAttributesCorrectly) {
  KeyPairTemplates pair = EcKeyPairTemplates(CKK_EC, EcCurveParams(EcCurve::kP256), {});
  const AttributeTemplate& pub = pair.public_key;
  const AttributeTemplate& priv = pair.private_key;
  EXPECT_EQ(pub.GetUlong(CKA_CLASS), CKO_PUBLIC_KEY);
  EXPECT_EQ(pub.GetBool(CKA_PRIVATE), false);
  EXPECT_EQ(pub.GetBool(CKA_VERIFY), true);
  EXPECT_TRUE(pub.Has(CKA_EC_PARAMS));
  EXPECT_FALSE(pub.Has(CKA_SENSITIVE));
  EXPECT_EQ(priv.GetUlong(CKA_CLASS), CKO_PRIVATE_KEY);
  EXPECT_EQ(priv.GetBool(CKA_SIGN), true);
  EXPECT_EQ(priv.GetBool(CKA_DECRYPT), false);
  EXPECT_EQ(priv.GetBool(CKA_SENSITIVE), true);
  EXPECT_EQ(priv.GetBool(CKA_EXTRACTABLE), false);
  EXPECT_FALSE(priv.Has(CKA_EC_PARAMS));
}

TEST(KeyTemplatesTest, RsaPairHasModulusBitsAndF4) {
  KeyPairTemplates pair = RsaKeyPairTemplates(3072, {.label = "r"});
  EXPECT_EQ(pair.public_key.GetUlong(CKA_MODULUS_BITS), 3072u);
  EXPECT_EQ(pair.public_key.GetBytes(CKA_PUBLIC_EXPONENT), (Bytes{1, 0, 1}));
  EXPECT_EQ(pair.private_key.GetBytes(CKA_LABEL), ToBytes("r"));
}

TEST(KeyTemplatesTest, CurveParamsAreDerOids) {
  EXPECT_EQ(Bytes(Ed25519Params().begin(), Ed25519Params().end()),
            (Bytes{0x06, 0x03, 0x2B, 0x65, 0x70}));
  EXPECT_EQ(EcCurveParams(EcCurve::kP384).size(), 7u);
  EXPECT_EQ(EcCurveFieldBytes(EcCurve::kP256), 32u);
  EXPECT_EQ(EcCurveFieldBytes(EcCurve::kP384), 48u);
}

}  // namespace
}  // namespace yinjian::hsm
