#include "service/format/encryption_context.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::format {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

TEST(CanonicalContextTest, EmptyIsFourZeroBytes) {
  EXPECT_EQ(Hex(CanonicalContext({})), "00000000");
}

TEST(CanonicalContextTest, OnePairLayout) {
  EXPECT_EQ(Hex(CanonicalContext({{"k", "v"}})), "00000001" "00000001" "6b" "00000001" "76");
  EXPECT_EQ(Hex(CanonicalContext({{"k", ""}})), "00000001" "00000001" "6b" "00000000");
}

TEST(CanonicalContextTest, IndependentOfInsertionOrder) {
  EncryptionContext forward, backward;
  for (int i = 0; i < 20; ++i) forward[absl::StrCat("key", i)] = absl::StrCat("v", i);
  for (int i = 19; i >= 0; --i) backward[absl::StrCat("key", i)] = absl::StrCat("v", i);
  EXPECT_EQ(CanonicalContext(forward), CanonicalContext(backward));
  EXPECT_EQ(CanonicalContext({{"b", "2"}, {"a", "1"}}), CanonicalContext({{"a", "1"}, {"b", "2"}}));
}

TEST(CanonicalContextTest, SortsKeysByUnsignedBytes) {
  // 0xC3 (in "é") must sort after ASCII 'z' whatever the sign of char.
  const std::string encoded = CanonicalContext({{"\xc3\xa9", "1"}, {"z", "2"}});
  EXPECT_EQ(Hex(encoded), "00000002" "00000001" "7a" "00000001" "32"
                          "00000002" "c3a9" "00000001" "31");
}

TEST(CanonicalContextTest, LengthPrefixesSeparateAmbiguousSplits) {
  EXPECT_NE(CanonicalContext({{"a", "bc"}}), CanonicalContext({{"ab", "c"}}));
  EXPECT_NE(CanonicalContext({{"a", ""}}), CanonicalContext({}));
  EXPECT_NE(CanonicalContext({{"a", "b"}, {"c", "d"}}), CanonicalContext({{"a", "bcd"}}));
}

TEST(ValidateContextTest, PairCountLimit) {
  EncryptionContext context;
  for (int i = 0; i < 64; ++i) context[absl::StrCat("k", i)] = "v";
  YJ_EXPECT_OK(ValidateContext(context));
  context["one-too-many"] = "v";
  const absl::Status status = ValidateContext(context);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("64 pairs"), absl::string_view::npos) << status;
  YJ_EXPECT_OK(ValidateContext({}));
}

TEST(ValidateContextTest, KeyLengthLimits) {
  YJ_EXPECT_OK(ValidateContext({{std::string(256, 'k'), "v"}}));
  EXPECT_EQ(ValidateContext({{std::string(257, 'k'), "v"}}).code(),
            absl::StatusCode::kInvalidArgument);
  YJ_EXPECT_OK(ValidateContext({{"k", "v"}}));
  EXPECT_EQ(ValidateContext({{"", "v"}}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateContextTest, ValueLengthLimits) {
  YJ_EXPECT_OK(ValidateContext({{"k", std::string(4096, 'v')}}));
  YJ_EXPECT_OK(ValidateContext({{"k", ""}}));
  EXPECT_EQ(ValidateContext({{"k", std::string(4097, 'v')}}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ValidateContextTest, AcceptsUtf8) {
  YJ_EXPECT_OK(ValidateContext({{"\xe9\x83\xa8\xe9\x97\xa8", "\xe8\xb4\xa2\xe5\x8a\xa1"}}));
  YJ_EXPECT_OK(ValidateContext({{"emoji", "\xf0\x9f\x94\x91"}}));          // U+1F511
  YJ_EXPECT_OK(ValidateContext({{"max", "\xf4\x8f\xbf\xbf"}}));            // U+10FFFF
  YJ_EXPECT_OK(ValidateContext({{"bmp-edge", "\xef\xbf\xbf\xee\x80\x80"}}));  // U+FFFF, U+E000
  YJ_EXPECT_OK(ValidateContext({{"nul", std::string("a\0b", 3)}}));
}

TEST(ValidateContextTest, RejectsInvalidUtf8InKeysAndValues) {
  for (const std::string& bad : {
           std::string("\x80"),              // lone continuation
           std::string("\xc3"),              // truncated 2-byte
           std::string("\xe2\x82"),          // truncated 3-byte
           std::string("\xc0\xaf"),          // overlong '/'
           std::string("\xc1\xbf"),          // overlong
           std::string("\xe0\x80\xaf"),      // overlong 3-byte
           std::string("\xf0\x80\x80\xaf"),  // overlong 4-byte
           std::string("\xed\xa0\x80"),      // surrogate U+D800
           std::string("\xf4\x90\x80\x80"),  // U+110000
           std::string("\xf5\x80\x80\x80"),  // lead above F4
           std::string("\xff"),
           std::string("ok\xc3\x28"),  // bad continuation
       }) {
    EXPECT_EQ(ValidateContext({{"k", bad}}).code(), absl::StatusCode::kInvalidArgument)
        << Hex(bad);
    EXPECT_EQ(ValidateContext({{bad, "v"}}).code(), absl::StatusCode::kInvalidArgument)
        << Hex(bad);
  }
  const absl::Status status = ValidateContext({{"k", "\xff"}});
  EXPECT_NE(status.message().find("UTF-8"), absl::string_view::npos) << status;
}

}  // namespace
}  // namespace yinjian::format
