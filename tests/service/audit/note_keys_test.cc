#include "service/audit/note_keys.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "hsm/ecdsa_signature.h"
#include "hsm/public_key.h"
#include "hsm/software_digest.h"
#include "service/audit/rejection.h"
#include "service/audit/signed_note.h"
#include "service/audit/text_fields.h"
#include "tests/service/audit/audit_test_util.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::audit {
namespace {

using fixtures::SoftwareP256Key;
using fixtures::SoftwareSm2Key;
using ::yinjian::testing::RunOpensslCli;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

constexpr absl::string_view kName = "yinjian.example/audit";
const std::string kText =
    "yinjian.example/audit\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n";

// Published ECDSA (type 0x02) verifier keys and notes signed by them, from
// transparency-dev/formats note/note_verifier_test.go: the Sigstore Rekor and Pixel 6 logs.
struct PublishedNote {
  const char* verifier_key;
  uint32_t key_id;
  const char* note;
};
const PublishedNote kPublishedNotes[] = {
    {"rekor.sigstore.dev+c0d23d6a+"
     "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5"
     "AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=",
     0xc0d23d6a,
     "Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n\xE2\x80\x94 "
     "rekor.sigstore.dev "
     "wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/"
     "XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n"},
    {"pixel6_transparency_log+91c16e30+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN+"
     "4x0Jk1yTwvLFI9A4NDdGZcX0"
     "aiWVdWM5XJVy0M4VWD3AvyW5Q6Hs9A0mcDkpUoYgn+KKPNzFC0H3nN3q6JQ8=",
     0x91c16e30,
     "DEFAULT\n10\nbsWRucJU5xJPHb5eBdOm6+DM+VelCZBuvtI3sHERJ9Y=\n\n\xE2\x80\x94 "
     "pixel6_transparency_log "
     "kcFuMDBFAiEAhqMAP8P6qf6QxtUJhzMhbN+MbZ9dwfUHzGQJmffJHtoCIGD0cNe47dHWBoPwYdgBCepB06/"
     "+g5O1FmYjXl06owL4\n"},
};

TEST(NoteKeysTest, SignatureTypeBytes) {
  EXPECT_EQ(hsm::Bytes(SignatureTypeBytes(NoteKeyType::kEcdsaP256).begin(),
                       SignatureTypeBytes(NoteKeyType::kEcdsaP256).end()),
            hsm::Bytes{0x02});
  // 0xFF, then OpenSSL's own DER encoding of 1.2.156.10197.1.501 (SM2 with SM3).
  hsm::OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free> oid(OBJ_txt2obj("1.2.156.10197.1.501", 1));
  ASSERT_NE(oid, nullptr);
  const int der_len = i2d_ASN1_OBJECT(oid.get(), nullptr);
  hsm::Bytes expected(1 + der_len, 0xff);
  unsigned char* out = expected.data() + 1;
  ASSERT_EQ(i2d_ASN1_OBJECT(oid.get(), &out), der_len);
  EXPECT_EQ(hsm::Bytes(SignatureTypeBytes(NoteKeyType::kSm2).begin(),
                       SignatureTypeBytes(NoteKeyType::kSm2).end()),
            expected);
}

// Interoperability: real ECDSA checkpoints from other logs verify, and their published key IDs
// are what NoteKeyId computes.
TEST(NoteKeysTest, PublishedEcdsaNotesVerify) {
  for (const PublishedNote& published : kPublishedNotes) {
    SCOPED_TRACE(published.verifier_key);
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<PublicKeyNoteVerifier> verifier,
                            PublicKeyNoteVerifier::FromVerifierKey(published.verifier_key));
    EXPECT_EQ(verifier->key_id(), published.key_id);
    EXPECT_EQ(verifier->type(), NoteKeyType::kEcdsaP256);
    EXPECT_EQ(verifier->VerifierKey(), published.verifier_key);
    const NoteVerifier* trusted[] = {verifier.get()};
    YJ_ASSERT_OK_AND_ASSIGN(VerifiedNote opened, OpenNote(published.note, trusted));
    EXPECT_EQ(opened.verified.size(), 1u);
    const std::string edited = absl::StrReplaceAll(published.note, {{"\n\n", "\nedited\n\n"}});
    EXPECT_EQ(RejectionOf(OpenNote(edited, trusted).status()), Rejection::kBadSignature);
  }
}

TEST(NoteKeysTest, EcdsaKeyIdIsTheTruncatedSha256OfTheSpki) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(std::string der_path, dir.WriteFile("pub.der", key.spki()));
  YJ_ASSERT_OK_AND_ASSIGN(std::string cli_digest,
                          RunOpensslCliOk({"dgst", "-sha256", "-r", der_path}));
  YJ_ASSERT_OK_AND_ASSIGN(uint32_t key_id, NoteKeyId(NoteKeyType::kEcdsaP256, kName, key.spki()));
  EXPECT_EQ(absl::StrFormat("%08x", key_id), cli_digest.substr(0, 8));
  // The name does not enter the type 0x02 key ID.
  YJ_ASSERT_OK_AND_ASSIGN(uint32_t other_name_id,
                          NoteKeyId(NoteKeyType::kEcdsaP256, "other.example", key.spki()));
  EXPECT_EQ(other_name_id, key_id);
}

TEST(NoteKeysTest, Sm2KeyIdFollowsTheRecommendedFormula) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key key, SoftwareSm2Key::Generate());
  hsm::Bytes hashed = hsm::ToBytes(absl::StrCat(kName, "\n"));
  const absl::Span<const uint8_t> type = SignatureTypeBytes(NoteKeyType::kSm2);
  hashed.insert(hashed.end(), type.begin(), type.end());
  hashed.insert(hashed.end(), key.spki.begin(), key.spki.end());
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes digest,
                          hsm::SoftwareDigest(hsm::DigestAlgorithm::kSha256, hashed));
  YJ_ASSERT_OK_AND_ASSIGN(uint32_t key_id, NoteKeyId(NoteKeyType::kSm2, kName, key.spki));
  EXPECT_EQ(key_id, (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
                        (uint32_t{digest[2]} << 8) | digest[3]);
  YJ_ASSERT_OK_AND_ASSIGN(uint32_t other_name_id,
                          NoteKeyId(NoteKeyType::kSm2, "other.example", key.spki));
  EXPECT_NE(other_name_id, key_id);
}

// Splits a one-signature note into (signed text, signature after the key ID).
std::pair<std::string, hsm::Bytes> TextAndSignature(const std::string& note) {
  absl::StatusOr<Note> parsed = ParseNote(note);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok() || parsed->signatures.size() != 1) return {};
  return {parsed->text, parsed->signatures[0].signature};
}

// The checkpoint signature is plain ECDSA P-256/SHA-256 over the note text, so the openssl CLI
// verifies it with nothing but the public key.
TEST(NoteKeysTest, EcdsaSignatureVerifiesWithTheOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<CallbackNoteSigner> signer,
      CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kName, key.spki(), key.SignFn()));
  const NoteSigner* signers[] = {signer.get()};
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, SignNote(kText, signers));
  const auto [text, signature] = TextAndSignature(note);
  EXPECT_EQ(text, kText);

  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(std::string pem, hsm::SpkiDerToPem(key.spki()));
  YJ_ASSERT_OK(dir.WriteFile("pub.pem", pem));
  YJ_ASSERT_OK(dir.WriteFile("sig", signature));
  YJ_ASSERT_OK(dir.WriteFile("text", text));
  YJ_ASSERT_OK(dir.WriteFile("edited", absl::StrReplaceAll(text, {{"\n5\n", "\n6\n"}})));
  YJ_ASSERT_OK_AND_ASSIGN(std::string out,
                          RunOpensslCliOk({"dgst", "-sha256", "-verify", dir.File("pub.pem"),
                                           "-signature", dir.File("sig"), dir.File("text")}));
  EXPECT_TRUE(absl::StrContains(out, "Verified OK")) << out;
  YJ_ASSERT_OK_AND_ASSIGN(::yinjian::testing::ProcessResult edited,
                          RunOpensslCli({"dgst", "-sha256", "-verify", dir.File("pub.pem"),
                                         "-signature", dir.File("sig"), dir.File("edited")}));
  EXPECT_NE(edited.exit_code, 0);
}

TEST(NoteKeysTest, Sm2SignatureVerifiesWithTheOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key key, SoftwareSm2Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<CallbackNoteSigner> signer,
      CallbackNoteSigner::Create(NoteKeyType::kSm2, kName, key.spki, key.SignFn()));
  const NoteSigner* signers[] = {signer.get()};
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, SignNote(kText, signers));
  const auto [text, signature] = TextAndSignature(note);

  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(std::string pem, hsm::SpkiDerToPem(key.spki));
  YJ_ASSERT_OK(dir.WriteFile("pub.pem", pem));
  YJ_ASSERT_OK(dir.WriteFile("sig", signature));
  YJ_ASSERT_OK(dir.WriteFile("text", text));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::string out,
      RunOpensslCliOk({"pkeyutl", "-verify", "-in", dir.File("text"), "-sigfile", dir.File("sig"),
                       "-pubin", "-inkey", dir.File("pub.pem"), "-rawin", "-digest", "sm3",
                       "-pkeyopt", "distid:1234567812345678"}));
  EXPECT_TRUE(absl::StrContains(out, "Signature Verified Successfully")) << out;
}

// The optional second line: an SM2 signature next to the ECDSA one. Each verifier checks its
// own line and ignores the other.
TEST(NoteKeysTest, EcdsaAndSm2OnOneCheckpoint) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key ecdsa_key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key sm2_key, SoftwareSm2Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CallbackNoteSigner> ecdsa,
                          CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kName,
                                                     ecdsa_key.spki(), ecdsa_key.SignFn()));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<CallbackNoteSigner> sm2,
      CallbackNoteSigner::Create(NoteKeyType::kSm2, kName, sm2_key.spki, sm2_key.SignFn()));
  const NoteSigner* signers[] = {ecdsa.get(), sm2.get()};
  YJ_ASSERT_OK_AND_ASSIGN(std::string note, SignNote(kText, signers));

  YJ_ASSERT_OK_AND_ASSIGN(
      auto ecdsa_verifier,
      PublicKeyNoteVerifier::Create(NoteKeyType::kEcdsaP256, kName, ecdsa_key.spki()));
  YJ_ASSERT_OK_AND_ASSIGN(auto sm2_verifier,
                          PublicKeyNoteVerifier::Create(NoteKeyType::kSm2, kName, sm2_key.spki));
  for (const std::vector<const NoteVerifier*>& trusted :
       std::vector<std::vector<const NoteVerifier*>>{{ecdsa_verifier.get()},
                                                     {sm2_verifier.get()},
                                                     {ecdsa_verifier.get(), sm2_verifier.get()}}) {
    YJ_ASSERT_OK_AND_ASSIGN(VerifiedNote opened, OpenNote(note, trusted));
    EXPECT_EQ(opened.verified.size(), trusted.size());
  }
  // A broken SM2 line is fatal to a verifier that trusts the SM2 key, even with a good ECDSA line.
  YJ_ASSERT_OK_AND_ASSIGN(Note parsed, ParseNote(note));
  parsed.signatures[1].signature.back() ^= 1;
  YJ_ASSERT_OK_AND_ASSIGN(std::string broken, FormatNote(parsed));
  const NoteVerifier* both[] = {ecdsa_verifier.get(), sm2_verifier.get()};
  EXPECT_EQ(RejectionOf(OpenNote(broken, both).status()), Rejection::kBadSignature);
}

TEST(NoteKeysTest, VerifierRejectsForeignKeysAndBadSignatures) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key log_key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key foreign_key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(
      auto verifier, PublicKeyNoteVerifier::Create(NoteKeyType::kEcdsaP256, kName, log_key.spki()));
  const NoteVerifier* trusted[] = {verifier.get()};

  // Another key under the log's name has another key ID: an unknown key.
  YJ_ASSERT_OK_AND_ASSIGN(
      auto foreign, CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kName, foreign_key.spki(),
                                               foreign_key.SignFn()));
  const NoteSigner* foreign_signers[] = {foreign.get()};
  YJ_ASSERT_OK_AND_ASSIGN(std::string foreign_note, SignNote(kText, foreign_signers));
  EXPECT_EQ(RejectionOf(OpenNote(foreign_note, trusted).status()), Rejection::kUntrustedKey);

  // The foreign signature relabelled with the log key's ID is checked, and fails.
  YJ_ASSERT_OK_AND_ASSIGN(Note relabelled, ParseNote(foreign_note));
  relabelled.signatures[0].key_id = verifier->key_id();
  YJ_ASSERT_OK_AND_ASSIGN(std::string relabelled_note, FormatNote(relabelled));
  EXPECT_EQ(RejectionOf(OpenNote(relabelled_note, trusted).status()), Rejection::kBadSignature);

  // Malformed DER and raw r || s are invalid signatures, not errors.
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes der, log_key.SignFn()(hsm::AsSpan(kText)));
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes raw, hsm::EcdsaDerToRaw(der, 32));
  for (const hsm::Bytes& bad : {raw, hsm::Bytes{0x30, 0x00}, hsm::Bytes(72, 0xff)}) {
    YJ_ASSERT_OK_AND_ASSIGN(bool valid, verifier->Verify(kText, bad));
    EXPECT_FALSE(valid);
  }
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, verifier->Verify(kText, der));
  EXPECT_TRUE(valid);
}

TEST(NoteKeysTest, OnlyCanonicalKeysOfTheRightCurve) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key p256, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key sm2, SoftwareSm2Key::Generate());
  hsm::EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(p384, nullptr);
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes p384_spki, hsm::EncodeSpkiDer(p384.get()));
  hsm::EvpPkeyPtr compressed(EVP_PKEY_dup(p256.pkey()));
  ASSERT_EQ(
      EVP_PKEY_set_utf8_string_param(compressed.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED),
      1);
  YJ_ASSERT_OK_AND_ASSIGN(hsm::Bytes compressed_spki, hsm::EncodeSpkiDer(compressed.get()));
  ASSERT_NE(compressed_spki, p256.spki());
  hsm::Bytes trailing = p256.spki();
  trailing.push_back(0);

  YJ_EXPECT_OK(NoteKeyId(NoteKeyType::kEcdsaP256, kName, p256.spki()));
  YJ_EXPECT_OK(NoteKeyId(NoteKeyType::kSm2, kName, sm2.spki));
  const std::vector<std::tuple<NoteKeyType, std::string, hsm::Bytes>> bad = {
      {NoteKeyType::kEcdsaP256, std::string(kName), p384_spki},
      {NoteKeyType::kEcdsaP256, std::string(kName), sm2.spki},
      {NoteKeyType::kSm2, std::string(kName), p256.spki()},
      {NoteKeyType::kEcdsaP256, std::string(kName), compressed_spki},
      {NoteKeyType::kEcdsaP256, std::string(kName), trailing},
      {NoteKeyType::kEcdsaP256, std::string(kName), {}},
      {NoteKeyType::kEcdsaP256, "two words", p256.spki()},
      {NoteKeyType::kSm2, "a+b", sm2.spki},
  };
  for (const auto& [type, name, spki] : bad) {
    EXPECT_EQ(NoteKeyId(type, name, spki).status().code(), absl::StatusCode::kInvalidArgument)
        << name << " " << spki.size();
    EXPECT_FALSE(PublicKeyNoteVerifier::Create(type, name, spki).ok());
  }
}

TEST(NoteKeysTest, VerifierKeysRoundTripAndAreChecked) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key sm2, SoftwareSm2Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(auto verifier,
                          PublicKeyNoteVerifier::Create(NoteKeyType::kSm2, kName, sm2.spki));
  const std::string vkey = verifier->VerifierKey();
  EXPECT_TRUE(absl::StartsWith(vkey, absl::StrFormat("%s+%08x+/wYIKoEcz1UBg3Uw", kName,
                                                     verifier->key_id())))
      << vkey;  // base64 of FF 06 08 2A 81 1C CF 55 01 83 75 30 ...
  YJ_ASSERT_OK_AND_ASSIGN(auto parsed, PublicKeyNoteVerifier::FromVerifierKey(vkey));
  EXPECT_EQ(parsed->type(), NoteKeyType::kSm2);
  EXPECT_EQ(parsed->key_name(), kName);
  EXPECT_EQ(parsed->key_id(), verifier->key_id());
  EXPECT_EQ(parsed->spki(), sm2.spki);

  const std::string rekor = kPublishedNotes[0].verifier_key;
  for (const std::string& bad : {
           std::string("rekor.sigstore.dev+12344556"),
           std::string("rekor.sigstore.dev+c0d23d6a+THIS_IS_NOT_BASE64!"),
           std::string("rekor.sigstore.dev+c0d23d6a+AwEB"),
           absl::StrReplaceAll(rekor, {{"+c0d23d6a+", "+NOTAHASH+"}}),
           absl::StrReplaceAll(rekor, {{"+c0d23d6a+", "+00000000+"}}),
           absl::StrReplaceAll(rekor, {{"+c0d23d6a+", "+C0D23D6A+"}}),
           absl::StrReplaceAll(rekor, {{"+c0d23d6a+", "+c0d23d6+"}}),
           absl::StrReplaceAll(rekor, {{"+AjBZ", "+ATBZ"}}),  // Ed25519 type byte
           absl::StrReplaceAll(rekor, {{"rekor.sigstore.dev", ""}}),
       }) {
    EXPECT_EQ(PublicKeyNoteVerifier::FromVerifierKey(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(NoteKeysTest, SignerChecksWhatTheCallbackReturns) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key key, SoftwareP256Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key other, SoftwareP256Key::Generate());
  const auto signer_with = [&](CallbackNoteSigner::SignFn sign) {
    return CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kName, key.spki(), std::move(sign));
  };
  // Signing with the wrong key.
  YJ_ASSERT_OK_AND_ASSIGN(auto wrong_key, signer_with(other.SignFn()));
  EXPECT_EQ(wrong_key->Sign(kText).status().code(), absl::StatusCode::kInternal);
  // PKCS#11's raw r || s instead of DER.
  YJ_ASSERT_OK_AND_ASSIGN(
      auto raw, signer_with([&](absl::Span<const uint8_t> message) -> absl::StatusOr<hsm::Bytes> {
        absl::StatusOr<hsm::Bytes> der = key.SignFn()(message);
        if (!der.ok()) return der.status();
        return hsm::EcdsaDerToRaw(*der, 32);
      }));
  EXPECT_EQ(raw->Sign(kText).status().code(), absl::StatusCode::kInternal);
  // The callback's own failure.
  YJ_ASSERT_OK_AND_ASSIGN(auto failing,
                          signer_with([](absl::Span<const uint8_t>) -> absl::StatusOr<hsm::Bytes> {
                            return absl::UnavailableError("HSM session lost");
                          }));
  EXPECT_EQ(failing->Sign(kText).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(signer_with(nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  // And the good case.
  YJ_ASSERT_OK_AND_ASSIGN(auto good, signer_with(key.SignFn()));
  YJ_ASSERT_OK_AND_ASSIGN(uint32_t key_id, NoteKeyId(NoteKeyType::kEcdsaP256, kName, key.spki()));
  EXPECT_EQ(good->key_id(), key_id);
  EXPECT_EQ(good->key_name(), kName);
  YJ_EXPECT_OK(good->Sign(kText));
}

}  // namespace
}  // namespace yinjian::audit
