#include "service/audit/signed_note.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "hsm/software_digest.h"
#include "service/audit/rejection.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::audit {
namespace {

constexpr absl::string_view kDash = "\xE2\x80\x94";  // U+2014 EM DASH

// A keyed-hash stand-in for a real signature, to test the note logic without key material:
// signature = SHA-256(secret || text)[0:16]. Real keys are in note_keys_test.
hsm::Bytes FakeSignature(absl::string_view secret, absl::string_view text) {
  absl::StatusOr<hsm::Bytes> digest =
      hsm::SoftwareDigest(hsm::DigestAlgorithm::kSha256, hsm::ToBytes(absl::StrCat(secret, text)));
  EXPECT_TRUE(digest.ok());
  digest->resize(16);
  return *digest;
}

class FakeKey final : public NoteSigner, public NoteVerifier {
 public:
  FakeKey(std::string name, uint32_t key_id, std::string secret)
      : name_(std::move(name)), key_id_(key_id), secret_(std::move(secret)) {}
  absl::string_view key_name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  absl::StatusOr<hsm::Bytes> Sign(absl::string_view text) const override {
    return FakeSignature(secret_, text);
  }
  absl::StatusOr<bool> Verify(absl::string_view text,
                              absl::Span<const uint8_t> signature) const override {
    const hsm::Bytes expected = FakeSignature(secret_, text);
    return std::equal(expected.begin(), expected.end(), signature.begin(), signature.end());
  }

 private:
  std::string name_;
  uint32_t key_id_;
  std::string secret_;
};

const std::string kText =
    "yinjian.example/audit\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n";

TEST(SignedNoteTest, FormatsTheExactBytes) {
  const Note note{
      .text = "hello\n",
      .signatures = {{.key_name = "a.example/k", .key_id = 0x01020304, .signature = {0xaa, 0xbb}}}};
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatNote(note));
  // base64(01 02 03 04 aa bb) = AQIDBKq7
  EXPECT_EQ(text, "hello\n\n\xE2\x80\x94 a.example/k AQIDBKq7\n");
}

// The example from c2sp.org/signed-note: a text with an empty line of its own.
TEST(SignedNoteTest, ParsesTheSpecExample) {
  const std::string text =
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \xC3\xA8 subito "
      "sera.\n";
  const std::string note =
      absl::StrCat(text, "\n", kDash,
                   " quasimodo.example/salvatore "
                   "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
                   "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n");
  YJ_ASSERT_OK_AND_ASSIGN(Note parsed, ParseNote(note));
  EXPECT_EQ(parsed.text, text);
  ASSERT_EQ(parsed.signatures.size(), 1u);
  EXPECT_EQ(parsed.signatures[0].key_name, "quasimodo.example/salvatore");
  EXPECT_EQ(parsed.signatures[0].key_id, 0x367ba04bu);    // base64 "NnugSw..." -> 36 7b a0 4b
  EXPECT_EQ(parsed.signatures[0].signature.size(), 64u);  // Ed25519
  YJ_ASSERT_OK_AND_ASSIGN(std::string formatted, FormatNote(parsed));
  EXPECT_EQ(formatted, note);
}

TEST(SignedNoteTest, RoundTripsSeveralSignatures) {
  const Note note{.text = kText,
                  .signatures = {{"log.example/a", 1, {1, 2, 3}},
                                 {"log.example/b", 0xffffffff, hsm::Bytes(72, 0x30)},
                                 {"log.example/a", 2, {9}}}};
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatNote(note));
  YJ_ASSERT_OK_AND_ASSIGN(Note parsed, ParseNote(text));
  EXPECT_EQ(parsed.text, note.text);
  EXPECT_EQ(parsed.signatures, note.signatures);
}

TEST(SignedNoteTest, FormatRejectsWhatCannotBeParsed) {
  const NoteSignature good{"log.example/a", 1, {1}};
  for (const Note& note : std::vector<Note>{
           {"", {good}},
           {"no newline", {good}},
           {"tab\there\n", {good}},
           {"cr\r\n", {good}},
           {"\xff\n", {good}},
           {kText, {}},
           {kText, {{"", 1, {1}}}},
           {kText, {{"a b", 1, {1}}}},
           {kText, {{"a+b", 1, {1}}}},
           {kText, {{"log.example/a", 1, {}}}},
           {kText, std::vector<NoteSignature>(kMaxNoteSignatures + 1, good)},
       }) {
    EXPECT_EQ(FormatNote(note).status().code(), absl::StatusCode::kInvalidArgument) << note.text;
  }
}

TEST(SignedNoteTest, ParseIsStrict) {
  const std::string line = absl::StrCat(kDash, " log.example/a AQIDBKq7\n");
  const std::string good = absl::StrCat(kText, "\n", line);
  YJ_ASSERT_OK(ParseNote(good));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no final newline", good.substr(0, good.size() - 1)},
      {"no separator", absl::StrCat(kText, line)},
      {"no signature", absl::StrCat(kText, "\n")},
      {"hyphen for em dash", absl::StrReplaceAll(good, {{kDash, "-"}})},
      {"two hyphens", absl::StrReplaceAll(good, {{kDash, "--"}})},
      {"en dash", absl::StrReplaceAll(good, {{kDash, "\xE2\x80\x93"}})},
      {"no space after dash", absl::StrReplaceAll(good, {{absl::StrCat(kDash, " "), kDash}})},
      {"two spaces", absl::StrReplaceAll(good, {{"a AQ", "a  AQ"}})},
      {"trailing space", absl::StrReplaceAll(good, {{"q7\n", "q7 \n"}})},
      {"no signature field", absl::StrCat(kText, "\n", kDash, " log.example/a\n")},
      {"plus in name", absl::StrReplaceAll(good, {{"log.example/a", "log+a"}})},
      {"no-break space in name", absl::StrReplaceAll(good, {{"log.example", "log\xC2\xA0x"}})},
      {"unpadded base64", absl::StrReplaceAll(good, {{"AQIDBKq7", "AQIDBKo"}})},
      {"non-canonical base64", absl::StrReplaceAll(good, {{"AQIDBKq7", "AQIDBKp="}})},
      {"key ID only", absl::StrReplaceAll(good, {{"AQIDBKq7", "AQIDBA=="}})},
      {"CRLF", absl::StrReplaceAll(good, {{"\n", "\r\n"}})},
      {"control character", absl::StrReplaceAll(good, {{"audit",
                                                        "au\x01"
                                                        "dit"}})},
      {"invalid UTF-8", absl::StrReplaceAll(good, {{"audit",
                                                    "au\xC3"
                                                    "dit"}})},
      {"duplicate signature", absl::StrCat(good, line)},
      {"same key, other signature", absl::StrCat(good, kDash, " log.example/a AQIDBAE=\n")},
      {"text line after signatures", absl::StrCat(good, "more text\n")},
      {"empty line among signatures", absl::StrCat(good, "\n")},
  };
  for (const auto& [what, note] : bad) {
    EXPECT_EQ(RejectionOf(ParseNote(note).status()), Rejection::kMalformed) << what;
  }
}

TEST(SignedNoteTest, AcceptsUpToTheSignatureLimit) {
  Note note{.text = kText};
  for (uint32_t i = 0; i < kMaxNoteSignatures; ++i) note.signatures.push_back({"k", i, {1}});
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatNote(note));
  YJ_ASSERT_OK(ParseNote(text));
  EXPECT_EQ(RejectionOf(ParseNote(absl::StrCat(text, kDash, " k AQIDBAE=\n")).status()),
            Rejection::kMalformed);
}

TEST(SignedNoteTest, SignThenOpen) {
  const FakeKey log("yinjian.example/audit", 0x1234, "log secret");
  const FakeKey witness("witness.example", 0x5678, "witness secret");
  const NoteSigner* signers[] = {&log, &witness};
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, SignNote(kText, signers));
  const NoteVerifier* both[] = {&log, &witness};
  YJ_ASSERT_OK_AND_ASSIGN(VerifiedNote opened, OpenNote(note, both));
  EXPECT_EQ(opened.text, kText);
  ASSERT_EQ(opened.verified.size(), 2u);
  EXPECT_EQ(opened.verified[0].key_name, "yinjian.example/audit");
  EXPECT_EQ(opened.verified[1].key_name, "witness.example");
  // Signatures by keys the verifier does not know are ignored, not fatal.
  const NoteVerifier* log_only[] = {&log};
  YJ_ASSERT_OK_AND_ASSIGN(opened, OpenNote(note, log_only));
  ASSERT_EQ(opened.verified.size(), 1u);
  EXPECT_EQ(opened.verified[0].key_id, 0x1234u);
}

TEST(SignedNoteTest, SignRejectsBadTextAndPassesSignerErrorsThrough) {
  const FakeKey log("yinjian.example/audit", 1, "s");
  const NoteSigner* signers[] = {&log};
  EXPECT_EQ(SignNote("no newline", signers).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote(kText, {}).status().code(), absl::StatusCode::kInvalidArgument);
  class FailingSigner final : public NoteSigner {
   public:
    absl::string_view key_name() const override { return "hsm"; }
    uint32_t key_id() const override { return 1; }
    absl::StatusOr<hsm::Bytes> Sign(absl::string_view) const override {
      return absl::UnavailableError("HSM session lost");
    }
  } failing;
  const NoteSigner* failing_signers[] = {&failing};
  EXPECT_EQ(SignNote(kText, failing_signers).status().code(), absl::StatusCode::kUnavailable);
}

TEST(SignedNoteTest, OpenRejectsTampering) {
  const FakeKey log("yinjian.example/audit", 0x1234, "log secret");
  const NoteSigner* signers[] = {&log};
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, SignNote(kText, signers));
  const NoteVerifier* trusted[] = {&log};

  // An edited body.
  const std::string edited = absl::StrReplaceAll(note, {{"\n5\n", "\n6\n"}});
  EXPECT_EQ(RejectionOf(OpenNote(edited, trusted).status()), Rejection::kBadSignature);

  // A signature by another key under the same name: another key ID, so not the trusted key.
  const FakeKey impostor("yinjian.example/audit", 0x9999, "impostor secret");
  const NoteSigner* impostor_signers[] = {&impostor};
  YJ_ASSERT_OK_AND_ASSIGN(std::string foreign, SignNote(kText, impostor_signers));
  EXPECT_EQ(RejectionOf(OpenNote(foreign, trusted).status()), Rejection::kUntrustedKey);

  // The same, claiming the trusted key ID too: verified, and failing.
  const FakeKey forger("yinjian.example/audit", 0x1234, "forger secret");
  const NoteSigner* forger_signers[] = {&forger};
  YJ_ASSERT_OK_AND_ASSIGN(std::string forged, SignNote(kText, forger_signers));
  EXPECT_EQ(RejectionOf(OpenNote(forged, trusted).status()), Rejection::kBadSignature);

  // The trusted key's signature under another key name.
  const std::string renamed = absl::StrReplaceAll(
      note,
      {{absl::StrCat(kDash, " yinjian.example/audit"), absl::StrCat(kDash, " other.example")}});
  EXPECT_EQ(RejectionOf(OpenNote(renamed, trusted).status()), Rejection::kUntrustedKey);

  // A bad trusted signature is fatal even next to a good one.
  const FakeKey other_trusted("witness.example", 7, "w");
  const NoteVerifier* two_trusted[] = {&log, &other_trusted};
  const std::string forged_witness =
      absl::StrCat(note, kDash, " witness.example AAAABwAAAAAAAAAAAAAAAAAAAAA=\n");
  EXPECT_EQ(RejectionOf(OpenNote(forged_witness, two_trusted).status()), Rejection::kBadSignature);

  // Nobody trusted at all.
  EXPECT_EQ(RejectionOf(OpenNote(note, {}).status()), Rejection::kUntrustedKey);

  // Malformed notes are malformed before any signature is looked at.
  EXPECT_EQ(RejectionOf(OpenNote(note.substr(0, note.size() - 1), trusted).status()),
            Rejection::kMalformed);
}

}  // namespace
}  // namespace yinjian::audit
