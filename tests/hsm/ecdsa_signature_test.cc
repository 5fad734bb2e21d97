#include "hsm/ecdsa_signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "hsm/ossl_ptr.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;
using ::yinjian::testing::Unhex;

Bytes SignDer(EVP_PKEY* key, const Bytes& message) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA2-256", nullptr, nullptr, key, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return {};
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) return {};
  sig.resize(len);
  return sig;
}

// Many real signatures, so r or s with a high bit set (DER 0x00 pad) or a leading zero byte
// (shorter than the field) both occur.
TEST(EcdsaSignatureTest, RoundTripsOpensslSignatures) {
  for (auto [curve, field_bytes] :
       std::vector<std::pair<const char*, size_t>>{{"P-256", 32}, {"P-384", 48}, {"P-521", 66}}) {
    EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
    ASSERT_NE(key, nullptr);
    for (int i = 0; i < 40; ++i) {
      const Bytes der = SignDer(key.get(), ToBytes(std::to_string(i)));
      ASSERT_FALSE(der.empty());
      YJ_ASSERT_OK_AND_ASSIGN(Bytes raw, EcdsaDerToRaw(der, field_bytes));
      ASSERT_EQ(raw.size(), 2 * field_bytes);
      YJ_ASSERT_OK_AND_ASSIGN(Bytes back, EcdsaRawToDer(raw));
      EXPECT_EQ(Hex(back), Hex(der)) << curve << " #" << i;
    }
  }
}

TEST(EcdsaSignatureTest, KnownEncodings) {
  // r = 1 (DER drops leading zeros), s = 0x80 00.. (DER needs a 0x00 sign pad).
  Bytes raw(64, 0);
  raw[31] = 0x01;
  raw[32] = 0x80;
  YJ_ASSERT_OK_AND_ASSIGN(Bytes der, EcdsaRawToDer(raw));
  EXPECT_EQ(Hex(der),
            "3026020101022100"
            "80" +
                std::string(62, '0'));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes back, EcdsaDerToRaw(der, 32));
  EXPECT_EQ(back, raw);
  // The same DER fits a larger field with more padding.
  YJ_ASSERT_OK_AND_ASSIGN(Bytes wide, EcdsaDerToRaw(der, 48));
  EXPECT_EQ(wide.size(), 96u);
  EXPECT_EQ(wide[47], 0x01);
  EXPECT_EQ(wide[48 + 16], 0x80);
}

TEST(EcdsaSignatureTest, RawRejectsBadLengthsAndZero) {
  EXPECT_EQ(EcdsaRawToDer(Bytes()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EcdsaRawToDer(Bytes(63, 1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EcdsaRawToDer(Bytes(134, 1)).status().code(), absl::StatusCode::kInvalidArgument);
  Bytes zero_r(64, 1);
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  EXPECT_EQ(EcdsaRawToDer(zero_r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EcdsaSignatureTest, DerRejectsMalformedOrNonCanonical) {
  const Bytes good = Unhex("3006020101020102");
  YJ_ASSERT_OK(EcdsaDerToRaw(good, 32).status());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"trailing byte", "300602010102010200"},
      {"truncated", "30060201010201"},
      {"long-form length", "308106020101020102"},
      {"padded integer", "30070202000102010102"},
      {"negative r", "3006020180020102"},
      {"zero s", "3006020101020100"},
      {"wrong outer tag", "3106020101020102"},
      {"three integers", "3009020101020102020103"},
      {"r too big for field", "3026022101" + std::string(64, 'f') + "020101"},
  };
  for (const auto& [what, hex] : bad) {
    EXPECT_EQ(EcdsaDerToRaw(Unhex(hex), 32).status().code(), absl::StatusCode::kInvalidArgument)
        << what;
  }
  EXPECT_EQ(EcdsaDerToRaw(good, 0).status().code(), absl::StatusCode::kInvalidArgument);
  // Well-formed DER whose r has 33 significant bytes: fine for P-384, too big for P-256.
  const Bytes wide_r = Unhex("3026022101" + std::string(64, 'f') + "020101");
  YJ_EXPECT_OK(EcdsaDerToRaw(wide_r, 48));
}

}  // namespace
}  // namespace yinjian::hsm
