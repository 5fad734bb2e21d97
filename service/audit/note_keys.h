// The two kinds of key that sign Yinjian's audit checkpoints, as C2SP signed-note signers and
// verifiers (https://c2sp.org/signed-note, "Signatures" and "Signature types").
//
// ECDSA P-256 (the log key, held in the HSM): signature type 0x02, "ECDSA signatures as
// implemented by github.com/transparency-dev/witness", the only ECDSA type the spec assigns.
//   signature = DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) over SHA-256(note text)
//   key ID    = SHA-256(SPKI DER)[0:4], big-endian
// The key ID deliberately follows the spec's note for type 0x02 ("the truncated SHA-256 hash of
// the DER encoded public key in SPKI format", as witness's keyHashECDSA computes it) rather than
// the generic recommendation; so it does not depend on the key name. Such a note verifies with
// `openssl dgst -sha256 -verify pub.pem -signature sig text`.
//
// SM2 (optional second line): the spec assigns no byte, so this uses its escape for unassigned
// types: 0xFF "followed by a longer identifier that is unlikely to collide". The identifier is
// the DER encoding of OID 1.2.156.10197.1.501 (SM2 signature with SM3, GM/T 0006), which is
// globally unique and self-delimiting:
//   type      = FF 06 08 2A 81 1C CF 55 01 83 75
//   signature = DER SEQUENCE { r, s } per GB/T 32918.2 with SM3 and the default distinguishing
//               ID "1234567812345678" (Z_A), over the note text
//   key ID    = SHA-256(key name || 0A || type || SPKI DER)[0:4], big-endian (the spec's
//               RECOMMENDED formula)
//
// Verifier keys (the one-line text form Go's sumdb/note and witness use to configure verifiers):
//   <key name>+<key ID as 8 lowercase hex digits>+<base64(type || SPKI DER)>
// e.g. the key that signed the example in signed_note.h (one line, wrapped here):
//   yinjian.example/audit+04f9b774+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCiDi5Exetn828dt/Bjy9
//     ncw2h+3Ksa5F4qTq0xUgVpuruloIRo8uq1NP1Lxnizn6QtiuZS/HDsIIyVBmCqRI50=
// where 04f9b774 = SHA-256(SPKI DER)[0:4] and "AjBZ..." = base64(02 || 30 59 30 13 ...).
//
// Public keys are SubjectPublicKeyInfo DER with a named curve and an uncompressed point, the only
// form accepted, so that one key has one key ID.
#ifndef YINJIAN_SERVICE_AUDIT_NOTE_KEYS_H_
#define YINJIAN_SERVICE_AUDIT_NOTE_KEYS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"
#include "hsm/software_verify.h"
#include "service/audit/signed_note.h"

namespace yinjian::audit {

enum class NoteKeyType { kEcdsaP256, kSm2 };

// The signed-note signature type bytes: {0x02} for ECDSA, {0xFF, OID DER...} for SM2 (above).
absl::Span<const uint8_t> SignatureTypeBytes(NoteKeyType type);

// The key ID for `key_name` and the key in `spki`. INVALID_ARGUMENT if the name is not a valid
// key name, or `spki` is not a canonical SPKI of the type's curve (P-256, or SM2).
absl::StatusOr<uint32_t> NoteKeyId(NoteKeyType type, absl::string_view key_name,
                                   absl::Span<const uint8_t> spki);

// Verifies signatures of one public key. Thread-safe.
class PublicKeyNoteVerifier final : public NoteVerifier {
 public:
  // INVALID_ARGUMENT as NoteKeyId.
  static absl::StatusOr<std::unique_ptr<PublicKeyNoteVerifier>> Create(
      NoteKeyType type, absl::string_view key_name, absl::Span<const uint8_t> spki);

  // From a verifier key string (above). INVALID_ARGUMENT if it is malformed, has an unknown
  // type, or its key ID does not match its name and key.
  static absl::StatusOr<std::unique_ptr<PublicKeyNoteVerifier>> FromVerifierKey(
      absl::string_view verifier_key);

  absl::string_view key_name() const override { return key_name_; }
  uint32_t key_id() const override { return key_id_; }
  NoteKeyType type() const { return type_; }
  const hsm::Bytes& spki() const { return spki_; }

  // The verifier key string for this key.
  std::string VerifierKey() const;

  absl::StatusOr<bool> Verify(absl::string_view text,
                              absl::Span<const uint8_t> signature) const override;

 private:
  PublicKeyNoteVerifier(NoteKeyType type, std::string key_name, uint32_t key_id, hsm::Bytes spki,
                        hsm::VerifyingKey key)
      : type_(type),
        key_name_(std::move(key_name)),
        key_id_(key_id),
        spki_(std::move(spki)),
        key_(std::move(key)) {}

  const NoteKeyType type_;
  const std::string key_name_;
  const uint32_t key_id_;
  const hsm::Bytes spki_;
  const hsm::VerifyingKey key_;  // spki_, parsed once
};

// Signs through a caller-supplied function, so the private key can stay in the HSM (or wrapped,
// for SM2). Each signature is checked against the public key before it is used, so a callback
// that signs with the wrong key, or returns r || s instead of DER, fails loudly instead of
// publishing an unverifiable checkpoint.
class CallbackNoteSigner final : public NoteSigner {
 public:
  // Returns the DER signature over `message`: ECDSA P-256 with SHA-256 (e.g. CKM_ECDSA over the
  // SHA-256 digest, converted with hsm::EcdsaRawToDer), or SM2 with SM3 (e.g. hsm::Sm2Sign).
  using SignFn = std::function<absl::StatusOr<hsm::Bytes>(absl::Span<const uint8_t> message)>;

  // INVALID_ARGUMENT as NoteKeyId, or if `sign` is empty.
  static absl::StatusOr<std::unique_ptr<CallbackNoteSigner>> Create(NoteKeyType type,
                                                                    absl::string_view key_name,
                                                                    absl::Span<const uint8_t> spki,
                                                                    SignFn sign);

  absl::string_view key_name() const override { return verifier_->key_name(); }
  uint32_t key_id() const override { return verifier_->key_id(); }
  // The verifier of this key's signatures (what each signature is checked with).
  const PublicKeyNoteVerifier& verifier() const { return *verifier_; }

  // The callback's error unchanged; INTERNAL if its signature does not verify under the key.
  absl::StatusOr<hsm::Bytes> Sign(absl::string_view text) const override;

 private:
  CallbackNoteSigner(std::unique_ptr<PublicKeyNoteVerifier> verifier, SignFn sign)
      : verifier_(std::move(verifier)), sign_(std::move(sign)) {}

  const std::unique_ptr<PublicKeyNoteVerifier> verifier_;
  const SignFn sign_;
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_NOTE_KEYS_H_
