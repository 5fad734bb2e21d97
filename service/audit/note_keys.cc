#include "service/audit/note_keys.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"
#include "hsm/signature_algorithm.h"
#include "hsm/sm2.h"
#include "hsm/software_digest.h"
#include "hsm/software_verify.h"
#include "service/audit/text_fields.h"

namespace yinjian::audit {
namespace {

constexpr uint8_t kEcdsaType[] = {0x02};
// 0xFF, then DER OID 1.2.156.10197.1.501 (SM2 signature with SM3).
constexpr uint8_t kSm2Type[] = {0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75};

// Checks that `spki` is the canonical SPKI (named curve, uncompressed point) of a key of `type`.
absl::Status CheckSpki(NoteKeyType type, absl::Span<const uint8_t> spki) {
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, hsm::ParseSpkiDer(spki));
  if (type == NoteKeyType::kSm2) {
    if (!EVP_PKEY_is_a(key.get(), "SM2")) {
      return absl::InvalidArgumentError("not an SM2 public key");
    }
  } else {
    char group[64] = {};
    size_t group_len = 0;
    if (!EVP_PKEY_is_a(key.get(), "EC") ||
        EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_len) != 1 ||
        absl::string_view(group, group_len) != "prime256v1") {
      hsm::ClearOsslErrors();
      return absl::InvalidArgumentError("not an ECDSA P-256 public key");
    }
  }
  if (EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
    return hsm::OsslInternal("cannot select the uncompressed point format");
  }
  ASSIGN_OR_RETURN(hsm::Bytes canonical, hsm::EncodeSpkiDer(key.get()));
  if (!std::equal(canonical.begin(), canonical.end(), spki.begin(), spki.end())) {
    return absl::InvalidArgumentError(
        "public key must be SPKI DER with a named curve and an uncompressed point");
  }
  return absl::OkStatus();
}

uint32_t FirstFourBytes(const hsm::Bytes& digest) {
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         uint32_t{digest[3]};
}

absl::StatusOr<uint32_t> ComputeKeyId(NoteKeyType type, absl::string_view key_name,
                                      absl::Span<const uint8_t> spki) {
  hsm::Bytes hashed;
  if (type == NoteKeyType::kSm2) {
    hashed = hsm::ToBytes(key_name);
    hashed.push_back('\n');
    const absl::Span<const uint8_t> type_bytes = SignatureTypeBytes(type);
    hashed.insert(hashed.end(), type_bytes.begin(), type_bytes.end());
  }
  hashed.insert(hashed.end(), spki.begin(), spki.end());
  ASSIGN_OR_RETURN(hsm::Bytes digest, hsm::SoftwareDigest(hsm::DigestAlgorithm::kSha256, hashed));
  return FirstFourBytes(digest);
}

}  // namespace

absl::Span<const uint8_t> SignatureTypeBytes(NoteKeyType type) {
  if (type == NoteKeyType::kSm2) return kSm2Type;
  return kEcdsaType;
}

absl::StatusOr<uint32_t> NoteKeyId(NoteKeyType type, absl::string_view key_name,
                                   absl::Span<const uint8_t> spki) {
  if (!IsValidKeyName(key_name)) return absl::InvalidArgumentError("invalid note key name");
  RETURN_IF_ERROR(CheckSpki(type, spki));
  return ComputeKeyId(type, key_name, spki);
}

absl::StatusOr<std::unique_ptr<PublicKeyNoteVerifier>> PublicKeyNoteVerifier::Create(
    NoteKeyType type, absl::string_view key_name, absl::Span<const uint8_t> spki) {
  ASSIGN_OR_RETURN(uint32_t key_id, NoteKeyId(type, key_name, spki));
  ASSIGN_OR_RETURN(hsm::VerifyingKey key,
                   hsm::VerifyingKey::Parse(spki, type == NoteKeyType::kSm2
                                                      ? hsm::SignatureAlgorithm::kSm2Sm3
                                                      : hsm::SignatureAlgorithm::kEcdsaSha256));
  return std::unique_ptr<PublicKeyNoteVerifier>(new PublicKeyNoteVerifier(
      type, std::string(key_name), key_id, hsm::Bytes(spki.begin(), spki.end()), std::move(key)));
}

absl::StatusOr<std::unique_ptr<PublicKeyNoteVerifier>> PublicKeyNoteVerifier::FromVerifierKey(
    absl::string_view verifier_key) {
  // Key names and hex have no '+'; base64 may, so only the first two '+' separate fields.
  const size_t first = verifier_key.find('+');
  const size_t second =
      first == absl::string_view::npos ? first : verifier_key.find('+', first + 1);
  if (second == absl::string_view::npos) {
    return absl::InvalidArgumentError("verifier key is not <name>+<key ID>+<key>");
  }
  const absl::string_view name = verifier_key.substr(0, first);
  const absl::string_view hex = verifier_key.substr(first + 1, second - first - 1);
  std::optional<hsm::Bytes> blob = DecodeBase64(verifier_key.substr(second + 1));
  if (hex.size() != 8 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
      })) {
    return absl::InvalidArgumentError("verifier key ID is not 8 lowercase hex digits");
  }
  if (!blob.has_value()) return absl::InvalidArgumentError("verifier key is not canonical base64");
  for (NoteKeyType type : {NoteKeyType::kEcdsaP256, NoteKeyType::kSm2}) {
    const absl::Span<const uint8_t> type_bytes = SignatureTypeBytes(type);
    if (blob->size() <= type_bytes.size() ||
        !std::equal(type_bytes.begin(), type_bytes.end(), blob->begin())) {
      continue;
    }
    const absl::Span<const uint8_t> spki = absl::MakeConstSpan(*blob).subspan(type_bytes.size());
    ASSIGN_OR_RETURN(std::unique_ptr<PublicKeyNoteVerifier> verifier, Create(type, name, spki));
    if (absl::StrFormat("%08x", verifier->key_id()) != hex) {
      return absl::InvalidArgumentError("verifier key ID does not match its name and key");
    }
    return verifier;
  }
  return absl::InvalidArgumentError("verifier key has an unsupported signature type");
}

std::string PublicKeyNoteVerifier::VerifierKey() const {
  hsm::Bytes blob(SignatureTypeBytes(type_).begin(), SignatureTypeBytes(type_).end());
  blob.insert(blob.end(), spki_.begin(), spki_.end());
  return absl::StrFormat("%s+%08x+%s", key_name_, key_id_, EncodeBase64(blob));
}

absl::StatusOr<bool> PublicKeyNoteVerifier::Verify(absl::string_view text,
                                                   absl::Span<const uint8_t> signature) const {
  return key_.Verify(hsm::AsSpan(text), signature);
}

absl::StatusOr<std::unique_ptr<CallbackNoteSigner>> CallbackNoteSigner::Create(
    NoteKeyType type, absl::string_view key_name, absl::Span<const uint8_t> spki, SignFn sign) {
  if (!sign) return absl::InvalidArgumentError("no signing function");
  ASSIGN_OR_RETURN(std::unique_ptr<PublicKeyNoteVerifier> verifier,
                   PublicKeyNoteVerifier::Create(type, key_name, spki));
  return std::unique_ptr<CallbackNoteSigner>(
      new CallbackNoteSigner(std::move(verifier), std::move(sign)));
}

absl::StatusOr<hsm::Bytes> CallbackNoteSigner::Sign(absl::string_view text) const {
  ASSIGN_OR_RETURN(hsm::Bytes signature, sign_(hsm::AsSpan(text)));
  ASSIGN_OR_RETURN(bool valid, verifier_->Verify(text, signature));
  if (!valid) {
    return absl::InternalError(absl::StrFormat(
        "the signature from the signing function for note key %s (%08x) does not verify; is it "
        "DER, and made with that key?",
        verifier_->key_name(), verifier_->key_id()));
  }
  return signature;
}

}  // namespace yinjian::audit
