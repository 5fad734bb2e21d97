#include "hsm/public_key.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>

#include "absl/strings/match.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::Unhex;

const Bytes kP256Params = Unhex("06082a8648ce3d030107");
const Bytes kP384Params = Unhex("06052b81040022");
const Bytes kP521Params = Unhex("06052b81040023");
const Bytes kSm2Params = Unhex("06082a811ccf5501822d");
const Bytes kEd25519Params = Unhex("06032b6570");
const Bytes kEd25519NameParams = Unhex("130c656477617264733235353139");  // "edwards25519"
const Bytes kSecp256k1Params = Unhex("06052b8104000a");

// OpenSSL's own SPKI for `key`, the reference our conversions must match byte for byte.
Bytes OpensslSpki(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  Bytes out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

// The CKA_EC_POINT form SoftHSM returns: the point DER-wrapped in an OCTET STRING.
Bytes WrapInOctetString(const Bytes& point) {
  Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(octets.get(), point.data(), static_cast<int>(point.size()));
  unsigned char* der = nullptr;
  int len = i2d_ASN1_OCTET_STRING(octets.get(), &der);
  Bytes out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

Bytes EncodedPublicPoint(EVP_PKEY* key) {
  // "pub" is the uncompressed point for EC/SM2 and the raw 32 bytes for Ed25519.
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1) {
    return {};
  }
  Bytes point(len);
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &len) != 1) {
    return {};
  }
  return point;
}

struct CurveCase {
  const char* name;
  const char* key_type;
  const char* group;  // nullptr for SM2, whose key type implies the curve
  Bytes params;
  size_t point_len;
};

class EcPublicKeyToSpkiTest : public ::testing::TestWithParam<CurveCase> {};

TEST_P(EcPublicKeyToSpkiTest, MatchesOpensslForWrappedAndBarePoints) {
  const CurveCase& c = GetParam();
  EvpPkeyPtr key(c.group != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, c.key_type, c.group)
                                    : EVP_PKEY_Q_keygen(nullptr, nullptr, c.key_type));
  ASSERT_NE(key, nullptr);
  const Bytes point = EncodedPublicPoint(key.get());
  ASSERT_EQ(point.size(), c.point_len);
  const Bytes expected = OpensslSpki(key.get());
  for (const Bytes& form : {point, WrapInOctetString(point)}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, EcPublicKeyToSpki(c.params, form));
    EXPECT_EQ(spki, expected) << "form length " << form.size();
  }
}

TEST_P(EcPublicKeyToSpkiTest, RejectsBadPoints) {
  const CurveCase& c = GetParam();
  EvpPkeyPtr key(c.group != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, c.key_type, c.group)
                                    : EVP_PKEY_Q_keygen(nullptr, nullptr, c.key_type));
  ASSERT_NE(key, nullptr);
  const Bytes point = EncodedPublicPoint(key.get());
  ASSERT_EQ(point.size(), c.point_len);
  std::vector<std::pair<std::string, Bytes>> bad = {
      {"empty", {}},
      {"short", Bytes(point.begin(), point.end() - 1)},
      {"long",
       [&] {
         Bytes b = point;
         b.push_back(0);
         return b;
       }()},
      {"wrapped short", WrapInOctetString(Bytes(point.begin(), point.end() - 1))},
      {"wrapped trailing",
       [&] {
         Bytes b = WrapInOctetString(point);
         b.push_back(0);
         return b;
       }()},
  };
  if (c.point_len > 32) {  // Weierstrass curves
    Bytes off_curve = point;
    off_curve.back() ^= 0x01;
    bad.emplace_back("off curve", off_curve);
    bad.emplace_back("wrapped off curve", WrapInOctetString(off_curve));
    Bytes hybrid = point;
    hybrid[0] = 0x06;
    bad.emplace_back("not uncompressed", hybrid);
    Bytes compressed(point.begin(), point.begin() + 1 + (point.size() - 1) / 2);
    compressed[0] = 0x02 | (point.back() & 1);
    bad.emplace_back("compressed", compressed);
    bad.emplace_back("wrapped compressed", WrapInOctetString(compressed));
  }
  if (c.point_len < 128) {
    // A BER long-form length where DER requires the short form.
    Bytes long_form = {0x04, 0x81, static_cast<uint8_t>(point.size())};
    long_form.insert(long_form.end(), point.begin(), point.end());
    bad.emplace_back("non-minimal length", long_form);
  }
  for (const auto& [what, data] : bad) {
    EXPECT_EQ(EcPublicKeyToSpki(c.params, data).status().code(), absl::StatusCode::kInvalidArgument)
        << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Curves, EcPublicKeyToSpkiTest,
    ::testing::Values(CurveCase{"P256", "EC", "P-256", kP256Params, 65},
                      CurveCase{"P384", "EC", "P-384", kP384Params, 97},
                      CurveCase{"P521", "EC", "P-521", kP521Params, 133},
                      CurveCase{"SM2", "SM2", nullptr, kSm2Params, 65},
                      CurveCase{"Ed25519", "ED25519", nullptr, kEd25519Params, 32},
                      CurveCase{"Ed25519ByName", "ED25519", nullptr, kEd25519NameParams, 32}),
    [](const ::testing::TestParamInfo<CurveCase>& info) { return info.param.name; });

TEST(EcPublicKeyToSpkiErrorsTest, RejectsUnknownOrMismatchedCurves) {
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(p384, nullptr);
  const Bytes point = EncodedPublicPoint(p384.get());
  EXPECT_EQ(EcPublicKeyToSpki(kSecp256k1Params, point).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EcPublicKeyToSpki(kP256Params, point).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EcPublicKeyToSpki(Bytes(), point).status().code(), absl::StatusCode::kInvalidArgument);
  Bytes truncated_oid(kP384Params.begin(), kP384Params.end() - 1);
  EXPECT_EQ(EcPublicKeyToSpki(truncated_oid, point).status().code(),
            absl::StatusCode::kInvalidArgument);
}

Bytes BigEndian(EVP_PKEY* key, const char* param) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, param, &bn);
  BignumPtr owned(bn);
  Bytes out(BN_num_bytes(bn));
  BN_bn2bin(bn, out.data());
  return out;
}

TEST(RsaPublicKeyToSpkiTest, MatchesOpenssl) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_NE(key, nullptr);
  const Bytes n = BigEndian(key.get(), OSSL_PKEY_PARAM_RSA_N);
  const Bytes e = BigEndian(key.get(), OSSL_PKEY_PARAM_RSA_E);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, RsaPublicKeyToSpki(n, e));
  EXPECT_EQ(spki, OpensslSpki(key.get()));

  // PKCS#11 tokens may return leading zero bytes; they do not change the key.
  Bytes padded_n = {0, 0};
  padded_n.insert(padded_n.end(), n.begin(), n.end());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes padded_spki, RsaPublicKeyToSpki(padded_n, Bytes{0, 1, 0, 1}));
  EXPECT_EQ(padded_spki, spki);
}

TEST(RsaPublicKeyToSpkiTest, RejectsImplausibleKeys) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_NE(key, nullptr);
  const Bytes n = BigEndian(key.get(), OSSL_PKEY_PARAM_RSA_N);
  const Bytes f4 = {1, 0, 1};
  Bytes even_n = n;
  even_n.back() &= 0xfe;
  const Bytes small_n(64, 0xff);  // 512 bits
  for (const auto& [modulus, exponent] :
       std::vector<std::pair<Bytes, Bytes>>{{Bytes(), f4},
                                            {even_n, f4},
                                            {small_n, f4},
                                            {n, Bytes()},
                                            {n, Bytes{1}},
                                            {n, Bytes{0x01, 0x00}},
                                            {n, n}}) {
    EXPECT_EQ(RsaPublicKeyToSpki(modulus, exponent).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(SpkiTest, ParseEncodeRoundTripAndKeyTypes) {
  for (auto [type, arg] : std::vector<std::pair<const char*, const char*>>{
           {"EC", "P-256"}, {"SM2", nullptr}, {"ED25519", nullptr}}) {
    EvpPkeyPtr key(arg != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, arg)
                                  : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    ASSERT_NE(key, nullptr);
    YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, EncodeSpkiDer(key.get()));
    EXPECT_EQ(spki, OpensslSpki(key.get()));
    YJ_ASSERT_OK_AND_ASSIGN(EvpPkeyPtr parsed, ParseSpkiDer(spki));
    EXPECT_TRUE(EVP_PKEY_is_a(parsed.get(), type)) << type;
    EXPECT_EQ(EVP_PKEY_eq(parsed.get(), key.get()), 1) << type;
  }
}

TEST(SpkiTest, ParseRejectsMalformedDer) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  const Bytes spki = OpensslSpki(key.get());
  Bytes trailing = spki;
  trailing.push_back(0);
  Bytes truncated(spki.begin(), spki.end() - 1);
  Bytes off_curve = spki;
  off_curve.back() ^= 0x01;
  for (const Bytes& bad : {Bytes(), trailing, truncated, off_curve, ToBytes("garbage")}) {
    EXPECT_EQ(ParseSpkiDer(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(EncodeSpkiDer(nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpkiTest, PemRoundTripMatchesOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_NE(key, nullptr);
  const Bytes spki = OpensslSpki(key.get());
  YJ_ASSERT_OK_AND_ASSIGN(std::string pem, SpkiDerToPem(spki));
  EXPECT_TRUE(absl::StartsWith(pem, "-----BEGIN PUBLIC KEY-----\n"));

  YJ_ASSERT_OK_AND_ASSIGN(std::string der_path, dir.WriteFile("pub.der", spki));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::string cli_pem,
      RunOpensslCliOk({"pkey", "-pubin", "-inform", "DER", "-in", der_path, "-outform", "PEM"}));
  EXPECT_EQ(pem, cli_pem);

  YJ_ASSERT_OK_AND_ASSIGN(Bytes back, PemToSpkiDer(pem));
  EXPECT_EQ(back, spki);
}

TEST(SpkiTest, PemRejectsGarbage) {
  EXPECT_EQ(PemToSpkiDer("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      PemToSpkiDer("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SpkiDerToPem(ToBytes("garbage")).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::hsm
