#include "service/keys/version_material.h"

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/key_generation.h"
#include "hsm/key_wrap.h"
#include "hsm/ossl_status.h"
#include "hsm/pkcs11_call.h"
#include "hsm/public_key_export.h"
#include "hsm/sm2.h"
#include "hsm/sm4_aead.h"

namespace yinjian::keys {
namespace {

using hsm::Bytes;
using hsm::SecureBytes;

constexpr hsm::KeyOptions kExtractableSession = {.extractable = true};

// Wraps `key` under the root, trying the root's handle again if it went stale.
absl::StatusOr<Bytes> WrapUnderRoot(hsm::Token& token, hsm::KeyRef& root, CK_OBJECT_HANDLE key) {
  Bytes wrapped;
  RETURN_IF_ERROR(root.Use([&](CK_OBJECT_HANDLE root_handle) -> absl::Status {
    ASSIGN_OR_RETURN(wrapped, hsm::WrapKey(token, root_handle, key));
    return absl::OkStatus();
  }));
  return wrapped;
}

// The kind's key pair (EC, RSA or Ed25519) with the given options.
absl::StatusOr<hsm::ScopedKeyPair> GeneratePair(hsm::Token& token, const KindInfo& info,
                                                const hsm::KeyOptions& options) {
  if (info.curve.has_value()) return hsm::GenerateEcKeyPair(token, *info.curve, options);
  if (info.rsa_bits != 0) return hsm::GenerateRsaKeyPair(token, info.rsa_bits, options);
  return hsm::GenerateEd25519KeyPair(token, options);
}

// A key pair that lives in the HSM as non-extractable token objects, for tokens that cannot wrap
// the kind's private keys.
absl::StatusOr<VersionMaterial> GenerateResident(hsm::Token& token, const KindInfo& info) {
  VersionMaterial out;
  out.hsm_object_id.resize(16);
  if (RAND_bytes(out.hsm_object_id.data(), out.hsm_object_id.size()) != 1) {
    return hsm::OsslInternal("key id generation");
  }
  const hsm::KeyOptions options = {.label = "yinjian-version", .id = out.hsm_object_id,
                                   .token_object = true};
  absl::StatusOr<hsm::ScopedKeyPair> pair = GeneratePair(token, info, options);
  RETURN_IF_ERROR(pair.status());
  ASSIGN_OR_RETURN(out.public_key_spki,
                   hsm::ExportPublicKeySpki(token, pair->public_key.handle()));
  pair->public_key.Keep();
  pair->private_key.Keep();
  return out;
}

absl::StatusOr<VersionMaterial> GenerateInHsm(hsm::Token& token, hsm::KeyRef& root,
                                              const KindInfo& info) {
  VersionMaterial out;
  if (info.family != KeyFamily::kSignature) {
    absl::StatusOr<hsm::ScopedObject> key =
        info.family == KeyFamily::kEncryption
            ? hsm::GenerateAesKey(token, info.secret_bytes, kExtractableSession)
            : hsm::GenerateGenericSecret(token, info.secret_bytes, kExtractableSession);
    RETURN_IF_ERROR(key.status());
    ASSIGN_OR_RETURN(out.wrapped, WrapUnderRoot(token, root, key->handle()));
    return out;
  }
  absl::StatusOr<hsm::ScopedKeyPair> pair = GeneratePair(token, info, kExtractableSession);
  RETURN_IF_ERROR(pair.status());
  ASSIGN_OR_RETURN(out.public_key_spki,
                   hsm::ExportPublicKeySpki(token, pair->public_key.handle()));
  absl::StatusOr<Bytes> wrapped = WrapUnderRoot(token, root, pair->private_key.handle());
  if (hsm::CkRvFromStatus(wrapped.status()) == CKR_KEY_NOT_WRAPPABLE) {
    return GenerateResident(token, info);
  }
  RETURN_IF_ERROR(wrapped.status());
  out.wrapped = std::move(*wrapped);
  return out;
}

// u32be length || material || zeros to a multiple of 8 (at least 16 bytes): SoftHSM zero-pads
// other lengths when wrapping, so the length must travel inside.
SecureBytes Frame(const SecureBytes& material) {
  SecureBytes framed(4);
  const uint32_t n = material.size();
  framed[0] = n >> 24, framed[1] = n >> 16, framed[2] = n >> 8, framed[3] = n;
  framed.insert(framed.end(), material.begin(), material.end());
  framed.resize(std::max<size_t>(16, (framed.size() + 7) / 8 * 8), 0);
  return framed;
}

absl::StatusOr<SecureBytes> Unframe(const SecureBytes& framed) {
  if (framed.size() < 4) return absl::InvalidArgumentError("stored key material is malformed");
  const size_t n = (size_t{framed[0]} << 24) | (size_t{framed[1]} << 16) |
                   (size_t{framed[2]} << 8) | framed[3];
  if (n > framed.size() - 4) return absl::InvalidArgumentError("stored key material is malformed");
  return SecureBytes(framed.begin() + 4, framed.begin() + 4 + n);
}

absl::StatusOr<SecureBytes> GenerateSoftwareMaterial(const KindInfo& info, Bytes& spki) {
  if (info.kind == KeyKind::kSm2) {
    ASSIGN_OR_RETURN(SecureBytes pkcs8, hsm::GenerateSm2Key());
    ASSIGN_OR_RETURN(spki, hsm::Sm2PublicKeySpki(pkcs8));
    return pkcs8;
  }
  if (info.kind == KeyKind::kSm4) return hsm::GenerateSm4AeadKey();
  SecureBytes key(info.secret_bytes);
  if (RAND_priv_bytes(key.data(), key.size()) != 1) return hsm::OsslInternal("key generation");
  return key;
}

absl::StatusOr<VersionMaterial> GenerateInSoftware(hsm::Token& token, hsm::KeyRef& root,
                                                   const KindInfo& info) {
  VersionMaterial out;
  ASSIGN_OR_RETURN(SecureBytes material, GenerateSoftwareMaterial(info, out.public_key_spki));
  // Import the framed material as a transient, extractable secret so the root key can wrap it.
  hsm::AttributeTemplate t = hsm::SecretKeyTemplate(CKK_GENERIC_SECRET, 0, kExtractableSession);
  t.SetBytes(CKA_VALUE, Frame(material));
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) {
    return P11_CALL(token.functions(), C_CreateObject, session, t.data(), t.size(), &handle);
  }));
  hsm::ScopedObject transient(&token, handle);
  ASSIGN_OR_RETURN(out.wrapped, WrapUnderRoot(token, root, transient.handle()));
  return out;
}

// How a version's material is unwrapped: for use (extractable false: never to leave the HSM
// again), or for re-wrapping under another root (extractable, still sensitive).
hsm::AttributeTemplate UnwrapTemplate(const KindInfo& info, Protection protection,
                                      bool extractable = false) {
  const hsm::KeyOptions options{.extractable = extractable};
  if (protection == Protection::kSoftware && extractable) {
    return hsm::SecretKeyTemplate(CKK_GENERIC_SECRET, 0, options);
  }
  if (protection == Protection::kSoftware) {
    // PKCS#11 reveals CKA_VALUE only of non-sensitive, extractable objects. This one is read
    // once into SecureBytes and destroyed at once.
    hsm::AttributeTemplate t = hsm::SecretKeyTemplate(CKK_GENERIC_SECRET, 0, kExtractableSession);
    t.SetBool(CKA_SENSITIVE, false);
    return t;
  }
  if (info.family == KeyFamily::kEncryption) return hsm::SecretKeyTemplate(CKK_AES, 0, options);
  if (info.family == KeyFamily::kMac) {
    return hsm::SecretKeyTemplate(CKK_GENERIC_SECRET, 0, options);
  }
  CK_KEY_TYPE type = info.curve.has_value() ? CKK_EC
                     : info.rsa_bits != 0   ? CKK_RSA
                                            : CKK_EC_EDWARDS;
  return hsm::PrivateKeyTemplate(type, {.extractable = extractable, .usage = hsm::kUsageSign});
}

}  // namespace

absl::StatusOr<VersionMaterial> GenerateVersionMaterial(hsm::Token& token, hsm::KeyRef& root,
                                                        KeyKind kind, Protection protection) {
  const KindInfo& info = Info(kind);
  if (info.software_only != (protection == Protection::kSoftware)) {
    return absl::FailedPreconditionError(absl::StrCat(
        info.name, " keys cannot have protection level ", ProtectionName(protection)));
  }
  return protection == Protection::kHsm ? GenerateInHsm(token, root, info)
                                        : GenerateInSoftware(token, root, info);
}

absl::StatusOr<LoadedVersion> LoadVersion(hsm::Token& token, hsm::KeyRef& root, KeyKind kind,
                                          Protection protection, const VersionMaterial& stored) {
  LoadedVersion loaded{.kind = kind, .protection = protection};
  if (!stored.hsm_object_id.empty()) {
    hsm::KeyRef resident(token, CKO_PRIVATE_KEY, stored.hsm_object_id);
    ASSIGN_OR_RETURN(loaded.hsm_handle, resident.Handle());
    return loaded;
  }
  const KindInfo& info = Info(kind);
  hsm::AttributeTemplate t = UnwrapTemplate(info, protection);
  hsm::ScopedObject object;
  RETURN_IF_ERROR(root.Use([&](CK_OBJECT_HANDLE root_handle) -> absl::Status {
    ASSIGN_OR_RETURN(object, hsm::UnwrapKey(token, root_handle, stored.wrapped, t));
    return absl::OkStatus();
  }));
  if (protection == Protection::kHsm) {
    loaded.hsm_handle = object.handle();
    loaded.unwrapped = std::move(object);
    return loaded;
  }
  ASSIGN_OR_RETURN(SecureBytes framed, hsm::ReadSecretValue(token, object.handle()));
  RETURN_IF_ERROR(object.Destroy());
  ASSIGN_OR_RETURN(loaded.software_key, Unframe(framed));
  return loaded;
}

absl::StatusOr<hsm::Bytes> RewrapVersionMaterial(hsm::Token& token, hsm::KeyRef& from,
                                                 hsm::KeyRef& to, KeyKind kind,
                                                 Protection protection,
                                                 const VersionMaterial& stored) {
  if (stored.wrapped.empty()) {
    return absl::FailedPreconditionError("a resident version has no wrapped material");
  }
  hsm::AttributeTemplate t = UnwrapTemplate(Info(kind), protection, true);
  hsm::ScopedObject object;
  RETURN_IF_ERROR(from.Use([&](CK_OBJECT_HANDLE root_handle) -> absl::Status {
    ASSIGN_OR_RETURN(object, hsm::UnwrapKey(token, root_handle, stored.wrapped, t));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(Bytes rewrapped, WrapUnderRoot(token, to, object.handle()));
  RETURN_IF_ERROR(object.Destroy());
  return rewrapped;
}

}  // namespace yinjian::keys
