#include "service/audit/checkpoint.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "service/audit/note_keys.h"
#include "service/audit/rejection.h"
#include "service/audit/signed_note.h"
#include "service/audit/text_fields.h"
#include "tests/service/audit/audit_test_util.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::audit {
namespace {

using fixtures::HashFromHex;
using fixtures::ReferenceRootHashes;
using fixtures::SoftwareP256Key;

constexpr absl::string_view kOrigin = "yinjian.example/audit";

TEST(CheckpointTest, FormatsTheExactBody) {
  const Checkpoint checkpoint{
      .origin = std::string(kOrigin), .size = 5, .root = ReferenceRootHashes()[5]};
  YJ_ASSERT_OK_AND_ASSIGN(std::string body, FormatCheckpoint(checkpoint));
  EXPECT_EQ(body, "yinjian.example/audit\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n");
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint parsed, ParseCheckpoint(body));
  EXPECT_EQ(parsed, checkpoint);
}

TEST(CheckpointTest, EmptyTree) {
  const Checkpoint checkpoint{
      .origin = std::string(kOrigin), .size = 0, .root = ReferenceRootHashes()[0]};
  YJ_ASSERT_OK_AND_ASSIGN(std::string body, FormatCheckpoint(checkpoint));
  EXPECT_EQ(body, "yinjian.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
}

// The example body from c2sp.org/tlog-checkpoint.
TEST(CheckpointTest, ParsesTheSpecExample) {
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, ParseCheckpoint(body));
  EXPECT_EQ(checkpoint.origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint.size, 20852163u);
  EXPECT_EQ(EncodeBase64(checkpoint.root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(checkpoint.extensions.empty());
  YJ_ASSERT_OK_AND_ASSIGN(std::string formatted, FormatCheckpoint(checkpoint));
  EXPECT_EQ(formatted, body);
}

TEST(CheckpointTest, ExtensionLinesRoundTrip) {
  const Checkpoint checkpoint{.origin = std::string(kOrigin),
                              .size = ~uint64_t{0},
                              .root = ReferenceRootHashes()[8],
                              .extensions = {"Timestamp: 1703705040158839214", "\xE6\x97\xA5 2"}};
  YJ_ASSERT_OK_AND_ASSIGN(std::string body, FormatCheckpoint(checkpoint));
  EXPECT_TRUE(absl::StrContains(body, "\n18446744073709551615\n"));
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint parsed, ParseCheckpoint(body));
  EXPECT_EQ(parsed, checkpoint);
}

TEST(CheckpointTest, ParseIsStrict) {
  const std::string root = "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=";
  const std::string good = absl::StrCat("o\n5\n", root, "\n");
  YJ_ASSERT_OK(ParseCheckpoint(good));
  // Any non-empty origin parses (clients must not assume its form).
  YJ_EXPECT_OK(ParseCheckpoint(absl::StrCat("Rekor log + friends\n5\n", root, "\n")));
  for (const std::string& body : {
           std::string(""), absl::StrCat("o\n5\n", root),                        // no final newline
           std::string("o\n5\n"),                                                // no root
           absl::StrCat("\n5\n", root, "\n"),                                    // empty origin
           absl::StrCat("o\n05\n", root, "\n"),                                  // leading zero
           absl::StrCat("o\n-5\n", root, "\n"),                                  //
           absl::StrCat("o\n+5\n", root, "\n"),                                  //
           absl::StrCat("o\n5 \n", root, "\n"),                                  //
           absl::StrCat("o\n18446744073709551616\n", root, "\n"),                // 2^64
           absl::StrCat("o\n\n", root, "\n"),                                    // empty size
           std::string("o\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZA==\n"),  // 31 bytes
           std::string("o\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ\n"),   // unpadded
           std::string("o\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNR=\n"),  // non-canonical
           absl::StrCat("o\n5\n", root, "\n\n"),       // empty extension line
           absl::StrCat("o\n5\n", root, "\n\next\n"),  //
           absl::StrCat("o\r\n5\n", root, "\n"),       // CR
           absl::StrCat("o\t\n5\n", root, "\n"),       // control character
       }) {
    EXPECT_EQ(RejectionOf(ParseCheckpoint(body).status()), Rejection::kMalformed) << body;
  }
}

TEST(CheckpointTest, FormatOnlySignsWellFormedCheckpoints) {
  const Hash root = ReferenceRootHashes()[5];
  for (const Checkpoint& checkpoint : std::vector<Checkpoint>{
           {.origin = "", .size = 5, .root = root},
           {.origin = "two words", .size = 5, .root = root},
           {.origin = "a+b", .size = 5, .root = root},
           {.origin = "line\nbreak", .size = 5, .root = root},
           {.origin = std::string(kOrigin), .size = 5, .root = root, .extensions = {""}},
           {.origin = std::string(kOrigin), .size = 5, .root = root, .extensions = {"a\nb"}},
           {.origin = std::string(kOrigin), .size = 5, .root = root, .extensions = {"\x01"}},
       }) {
    EXPECT_EQ(FormatCheckpoint(checkpoint).status().code(), absl::StatusCode::kInvalidArgument)
        << checkpoint.origin;
  }
}

class SignedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key log_key, SoftwareP256Key::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key foreign_key, SoftwareP256Key::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(signer_, CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kOrigin,
                                                                log_key.spki(), log_key.SignFn()));
    YJ_ASSERT_OK_AND_ASSIGN(foreign_signer_,
                            CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kOrigin,
                                                       foreign_key.spki(), foreign_key.SignFn()));
    YJ_ASSERT_OK_AND_ASSIGN(
        verifier_, PublicKeyNoteVerifier::Create(NoteKeyType::kEcdsaP256, kOrigin, log_key.spki()));
  }

  absl::StatusOr<std::string> Sign(absl::string_view body, const NoteSigner* signer) {
    const NoteSigner* signers[] = {signer};
    return SignNote(body, signers);
  }

  absl::StatusOr<Checkpoint> Open(absl::string_view note, absl::string_view origin = kOrigin) {
    const NoteVerifier* trusted[] = {verifier_.get()};
    return OpenCheckpoint(note, trusted, origin);
  }

  const Checkpoint checkpoint_{
      .origin = std::string(kOrigin), .size = 5, .root = ReferenceRootHashes()[5]};
  std::unique_ptr<CallbackNoteSigner> signer_;
  std::unique_ptr<CallbackNoteSigner> foreign_signer_;
  std::unique_ptr<PublicKeyNoteVerifier> verifier_;
};

TEST_F(SignedCheckpointTest, SignedCheckpointHasTheExpectedShape) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string body, FormatCheckpoint(checkpoint_));
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, Sign(body, signer_.get()));
  const std::string prefix = absl::StrCat(body, "\n\xE2\x80\x94 yinjian.example/audit ");
  ASSERT_TRUE(absl::StartsWith(note, prefix)) << note;
  ASSERT_TRUE(absl::EndsWith(note, "\n"));
  std::optional<hsm::Bytes> blob =
      DecodeBase64(absl::string_view(note).substr(prefix.size(), note.size() - prefix.size() - 1));
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ((uint32_t{(*blob)[0]} << 24) | (uint32_t{(*blob)[1]} << 16) |
                (uint32_t{(*blob)[2]} << 8) | (*blob)[3],
            verifier_->key_id());
  EXPECT_EQ((*blob)[4], 0x30);  // a DER SEQUENCE
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint opened, Open(note));
  EXPECT_EQ(opened, checkpoint_);
}

TEST_F(SignedCheckpointTest, TamperingIsDetected) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string body, FormatCheckpoint(checkpoint_));
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, Sign(body, signer_.get()));

  // An edited body: another size, another root, an added extension line.
  for (const std::string& edited : {absl::StrReplaceAll(note, {{"\n5\n", "\n6\n"}}),
                                    absl::StrReplaceAll(note, {{"Tju7", "Tjv7"}}),
                                    absl::StrReplaceAll(note, {{"NQ=\n", "NQ=\nextra\n"}})}) {
    EXPECT_EQ(RejectionOf(Open(edited).status()), Rejection::kBadSignature) << edited;
  }
  // A foreign signature (another key, same name).
  YJ_ASSERT_OK_AND_ASSIGN(std::string foreign, Sign(body, foreign_signer_.get()));
  EXPECT_EQ(RejectionOf(Open(foreign).status()), Rejection::kUntrustedKey);
  // The right signature under a wrong key name.
  const std::string renamed = absl::StrReplaceAll(
      note, {{"\xE2\x80\x94 yinjian.example/audit ", "\xE2\x80\x94 other.example "}});
  EXPECT_EQ(RejectionOf(Open(renamed).status()), Rejection::kUntrustedKey);
  // Another log's checkpoint, validly signed.
  EXPECT_EQ(RejectionOf(Open(note, "other.example/audit").status()), Rejection::kWrongOrigin);
  // A validly signed note that is not a checkpoint.
  YJ_ASSERT_OK_AND_ASSIGN(std::string not_checkpoint, Sign("hello\n", signer_.get()));
  EXPECT_EQ(RejectionOf(Open(not_checkpoint).status()), Rejection::kMalformed);
}

}  // namespace
}  // namespace yinjian::audit
