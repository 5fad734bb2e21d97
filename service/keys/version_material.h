// Key version material: generated in the HSM (or, for the national algorithms, in OpenSSL),
// stored only wrapped under the department root key, and loaded back for use.
//
// HSM protection: the version key is generated as an extractable session object, wrapped with
// CKM_AES_KEY_WRAP_PAD, and destroyed; at use it is unwrapped as a sensitive, non-extractable
// session object. Where the token cannot wrap a private key (SoftHSM: Ed25519), the version is
// instead an HSM-resident, non-extractable token key pair found by a random CKA_ID.
// Software protection: the material (SM2 PKCS#8, SM4 AEAD key, HMAC-SM3 key) is framed as
// u32be length || material || zero padding to a multiple of 8, imported as a transient
// generic-secret object and wrapped the same way; at use it is unwrapped as a non-sensitive
// session object, read into SecureBytes and the object destroyed at once.
#ifndef YINJIAN_SERVICE_KEYS_VERSION_MATERIAL_H_
#define YINJIAN_SERVICE_KEYS_VERSION_MATERIAL_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/key_ref.h"
#include "hsm/objects.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"
#include "service/keys/key_kind.h"

namespace yinjian::keys {

struct VersionMaterial {
  hsm::Bytes wrapped;          // under the root key; what the store keeps
  hsm::Bytes hsm_object_id;    // CKA_ID of an HSM-resident version instead (wrapped is empty)
  hsm::Bytes public_key_spki;  // DER; empty for symmetric kinds
};

// Generates a new version's material. FAILED_PRECONDITION if `protection` does not suit the kind
// (see ChooseProtection) or the token lacks a mechanism.
absl::StatusOr<VersionMaterial> GenerateVersionMaterial(hsm::Token& token, hsm::KeyRef& root,
                                                        KeyKind kind, Protection protection);

// A version ready for use: an HSM key (secret or private) at `hsm_handle`, or software material
// (wiped with this). An unwrapped HSM key is owned (destroyed with this); a resident one is not.
struct LoadedVersion {
  KeyKind kind;
  Protection protection;
  CK_OBJECT_HANDLE hsm_handle = CK_INVALID_HANDLE;
  hsm::ScopedObject unwrapped;
  hsm::SecureBytes software_key;
};

// Unwraps stored material, or finds the resident key. INVALID_ARGUMENT if the material does not
// unwrap under the root key (tampered, or another department's); NOT_FOUND for a resident key
// that is gone.
absl::StatusOr<LoadedVersion> LoadVersion(hsm::Token& token, hsm::KeyRef& root, KeyKind kind,
                                          Protection protection, const VersionMaterial& stored);

// Root key rotation: the stored material re-wrapped under `to` instead of `from`, without it
// leaving the HSM. It is unwrapped under `from` as an extractable, sensitive session object,
// wrapped under `to`, and the object destroyed. INVALID_ARGUMENT if it does not unwrap under
// `from`; FAILED_PRECONDITION for a resident version (nothing to re-wrap).
absl::StatusOr<hsm::Bytes> RewrapVersionMaterial(hsm::Token& token, hsm::KeyRef& from,
                                                 hsm::KeyRef& to, KeyKind kind,
                                                 Protection protection,
                                                 const VersionMaterial& stored);

// Bring your own key. Each department has an RSA-3072 import key pair in its token (CKA_ID
// ImportKeyId; private half sensitive, non-extractable, allowed only to unwrap). The officer
// wraps the material as RSA-OAEP(K) || AES-KWP(K, material) (proto/yinjian/v1/keys.proto).
std::string ImportKeyId(absl::string_view department);
// The OAEP (and MGF1) hash the import key unwraps with. SHA-1: SoftHSM 2.6 unwraps OAEP with
// nothing else (it refuses other hashAlg values).
inline constexpr char kImportOaepHash[] = "sha1";
// Whether material of this kind can be imported: the HSM-protected kinds the token can wrap
// (AES, HMAC, ECDSA, RSA); not the software kinds, nor Ed25519 (SoftHSM keeps it resident).
bool Importable(KeyKind kind);
// The department's import public key (SubjectPublicKeyInfo DER), creating the pair on first
// use.
absl::StatusOr<hsm::Bytes> ImportPublicKey(hsm::Token& token, absl::string_view department);
// Unwraps uploaded material with the department's import key, checks it is a key of `kind`
// (symmetric: its length; asymmetric: that `public_key_der` is its public key, by a signature),
// and re-wraps it under `root`, all inside the HSM. INVALID_ARGUMENT for material that does not
// unwrap or does not fit; FAILED_PRECONDITION for a kind that cannot be imported or a
// department without an import key.
absl::StatusOr<VersionMaterial> ImportVersionMaterial(hsm::Token& token, hsm::KeyRef& root,
                                                      absl::string_view department, KeyKind kind,
                                                      absl::Span<const uint8_t> wrapped,
                                                      absl::Span<const uint8_t> public_key_der);

}  // namespace yinjian::keys

#endif  // YINJIAN_SERVICE_KEYS_VERSION_MATERIAL_H_
