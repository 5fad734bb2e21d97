#include "service/audit/text_fields.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "service/audit/rejection.h"
#include "tests/service/audit/audit_test_util.h"

namespace yinjian::audit {
namespace {

TEST(TextFieldsTest, Base64RoundTrips) {
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const std::string encoded = EncodeBase64(hsm::AsSpan(text));
    std::optional<hsm::Bytes> decoded = DecodeBase64(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, hsm::ToBytes(text));
  }
  EXPECT_EQ(EncodeBase64(hsm::ToBytes("foobar")), "Zm9vYmFy");  // RFC 4648 section 10
  EXPECT_EQ(EncodeBase64(hsm::ToBytes("fo")), "Zm8=");
}

TEST(TextFieldsTest, Base64AcceptsOnlyTheCanonicalSpelling) {
  for (const char* text : {"Zm8", "Zm8==", "Zm9=", "Zm8=\n",
                           " Zm8=", "Zm 8=", "Zg=", "Z===", "_-8=", "Zm8=Zm8=", "Zm8*", "="}) {
    EXPECT_FALSE(DecodeBase64(text).has_value()) << '"' << text << '"';
  }
}

TEST(TextFieldsTest, HashMustBeExactly32Bytes) {
  const Hash hash = fixtures::ReferenceRootHashes()[5];
  const std::string encoded = EncodeBase64(hash);
  EXPECT_EQ(encoded, "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=");
  EXPECT_EQ(DecodeHashBase64(encoded), hash);
  EXPECT_FALSE(DecodeHashBase64(EncodeBase64(absl::MakeConstSpan(hash).first(31))).has_value());
  hsm::Bytes longer(hash.begin(), hash.end());
  longer.push_back(0);
  EXPECT_FALSE(DecodeHashBase64(EncodeBase64(longer)).has_value());
}

TEST(TextFieldsTest, DecimalIsStrict) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("20852163"), 20852163u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), ~uint64_t{0});
  for (const char* text : {"", "00", "01", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0",
                           "18446744073709551616", "99999999999999999999"}) {
    EXPECT_FALSE(ParseDecimal(text).has_value()) << '"' << text << '"';
  }
}

TEST(TextFieldsTest, NoteTextIsUtf8WithoutControlCharacters) {
  EXPECT_TRUE(IsValidNoteText("Ognuno sta solo sul cuor della terra\ned \xC3\xA8 subito sera.\n"));
  EXPECT_TRUE(IsValidNoteText("\xE2\x80\x94 \xF0\x9F\x94\x91\x7f\n"));
  const std::string nul("nul\0", 4);
  for (const std::string& text :
       {std::string("tab\there"), std::string("cr\r\n"), nul, std::string("\x1b[0m"),
        std::string("\xff"), std::string("\xC0\x80"), std::string("\xC3"), std::string("\xE2\x80"),
        std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"), std::string("\x80")}) {
    EXPECT_FALSE(IsValidNoteText(text)) << text;
  }
}

TEST(TextFieldsTest, KeyNames) {
  for (const char* name :
       {"yinjian.example/audit", "example.com/behind-the-sofa", "\xE6\x97\xA5\xE5\xBF\x97", "a"}) {
    EXPECT_TRUE(IsValidKeyName(name)) << name;
  }
  for (const char* name : {"", "a b", "a+b", "a\tb", "a\nb",
                           "a\xC2\xA0"
                           "b",
                           "a\xE3\x80\x80"
                           "b",
                           "a\xE2\x80\xA8"
                           "b",
                           "\xff"}) {
    EXPECT_FALSE(IsValidKeyName(name)) << name;
  }
}

TEST(RejectionTest, ReasonTravelsAsPayload) {
  for (Rejection rejection :
       {Rejection::kMalformed, Rejection::kUntrustedKey, Rejection::kBadSignature,
        Rejection::kWrongOrigin, Rejection::kIndexOutOfRange, Rejection::kProofMismatch}) {
    const absl::Status status = Rejected(rejection, "details");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), absl::StrCat(RejectionName(rejection), ": details"));
    EXPECT_EQ(RejectionOf(status), rejection);
  }
  EXPECT_EQ(RejectionOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(RejectionOf(absl::InvalidArgumentError("malformed: not ours")), std::nullopt);
}

}  // namespace
}  // namespace yinjian::audit
