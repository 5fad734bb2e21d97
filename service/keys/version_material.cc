#include "service/keys/version_material.h"

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/key_generation.h"
#include "hsm/key_wrap.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"
#include "hsm/public_key_export.h"
#include "hsm/signing.h"
#include "hsm/sm2.h"
#include "hsm/sm4_aead.h"
#include "hsm/software_verify.h"

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
  const hsm::KeyOptions options = {
      .label = "yinjian-version", .id = out.hsm_object_id, .token_object = true};
  absl::StatusOr<hsm::ScopedKeyPair> pair = GeneratePair(token, info, options);
  RETURN_IF_ERROR(pair.status());
  ASSIGN_OR_RETURN(out.public_key_spki, hsm::ExportPublicKeySpki(token, pair->public_key.handle()));
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
  ASSIGN_OR_RETURN(out.public_key_spki, hsm::ExportPublicKeySpki(token, pair->public_key.handle()));
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
  const size_t n =
      (size_t{framed[0]} << 24) | (size_t{framed[1]} << 16) | (size_t{framed[2]} << 8) | framed[3];
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
  ASSIGN_OR_RETURN(hsm::ScopedObject transient, hsm::CreateObject(token, t));
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
    return absl::FailedPreconditionError(
        absl::StrCat(info.name, " keys cannot have protection level ", ProtectionName(protection)));
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

namespace {

constexpr size_t kImportRsaBits = 3072;
constexpr size_t kImportRsaBytes = kImportRsaBits / 8;

// Unwraps the officer's AES key K with the import key (RSA-OAEP), as a sensitive session key
// allowed only to unwrap.
absl::StatusOr<hsm::ScopedObject> UnwrapTransportKey(hsm::Token& token, CK_OBJECT_HANDLE import_key,
                                                     absl::Span<const uint8_t> wrapped) {
  CK_RSA_PKCS_OAEP_PARAMS params = {CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM mechanism = {CKM_RSA_PKCS_OAEP, &params, sizeof(params)};
  hsm::AttributeTemplate t = hsm::SecretKeyTemplate(CKK_AES, 0, {.usage = hsm::kUsageUnwrap});
  return hsm::UnwrapKey(token, import_key, wrapped, t, mechanism);
}

// A symmetric key of the kind's length, or an asymmetric one whose public key is `spki`.
absl::Status CheckImported(hsm::Token& token, const KindInfo& info, CK_OBJECT_HANDLE key,
                           absl::Span<const uint8_t> spki) {
  if (info.family != KeyFamily::kSignature) {
    // SoftHSM leaves CKA_VALUE_LEN of an unwrapped key at 0; where the token sets it, it must
    // match. (The wrapped length was checked before unwrapping.)
    absl::StatusOr<CK_ULONG> length = hsm::ReadUlongAttribute(token, key, CKA_VALUE_LEN);
    if (length.ok() && *length != 0 && *length != info.secret_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("a ", info.name, " key is ", info.secret_bytes, " bytes, not ", *length));
    }
    return absl::OkStatus();
  }
  if (spki.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("importing a ", info.name, " key needs its public key (public_key_der)"));
  }
  // The public key must be of the kind's curve or size; the signature below then proves the
  // private key is its other half.
  absl::StatusOr<hsm::EvpPkeyPtr> public_key = hsm::ParseSpkiDer(spki);
  const bool fits =
      public_key.ok() &&
      (info.curve.has_value()
           ? EVP_PKEY_is_a(public_key->get(), "EC") == 1 &&
                 static_cast<size_t>(EVP_PKEY_get_bits(public_key->get())) ==
                     hsm::EcCurveFieldBytes(*info.curve) * 8
           : EVP_PKEY_is_a(public_key->get(), "RSA") == 1 &&
                 static_cast<size_t>(EVP_PKEY_get_bits(public_key->get())) == info.rsa_bits);
  if (!fits) {
    return absl::InvalidArgumentError(
        absl::StrCat("public_key_der is not a ", info.name, " public key"));
  }
  static constexpr uint8_t kProbe[] = "yinjian import check";
  absl::StatusOr<Bytes> signature = hsm::SignMessage(token, key, *info.signature, kProbe);
  if (!signature.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the imported material is not a ", info.name, " private key"));
  }
  absl::StatusOr<bool> valid = hsm::VerifySignature(spki, *info.signature, kProbe, *signature);
  if (!valid.ok() || !*valid) {
    return absl::InvalidArgumentError(
        "public_key_der is not the public key of the imported private key");
  }
  return absl::OkStatus();
}

}  // namespace

std::string ImportKeyId(absl::string_view department) {
  return absl::StrCat("yinjian-import/", department, "/1");
}

bool Importable(KeyKind kind) {
  const KindInfo& info = Info(kind);
  if (info.software_only) return false;
  return info.family != KeyFamily::kSignature || info.curve.has_value() || info.rsa_bits != 0;
}

absl::StatusOr<hsm::Bytes> ImportPublicKey(hsm::Token& token, absl::string_view department) {
  const Bytes id = hsm::ToBytes(ImportKeyId(department));
  ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found,
                   hsm::FindObjects(token, {.object_class = CKO_PUBLIC_KEY, .id = id}));
  if (found.empty()) {
    // Two replicas creating at once would leave two pairs with one id; FindObject below then
    // reports it rather than guessing.
    ASSIGN_OR_RETURN(hsm::ScopedKeyPair pair,
                     hsm::GenerateRsaKeyPair(token, kImportRsaBits,
                                             {.label = ImportKeyId(department),
                                              .id = id,
                                              .token_object = true,
                                              .extractable = false,
                                              .usage = hsm::kUsageWrap | hsm::kUsageUnwrap}));
    pair.public_key.Keep();
    pair.private_key.Keep();
  }
  ASSIGN_OR_RETURN(CK_OBJECT_HANDLE public_key,
                   hsm::FindObject(token, {.object_class = CKO_PUBLIC_KEY, .id = id}));
  return hsm::ExportPublicKeySpki(token, public_key);
}

absl::StatusOr<VersionMaterial> ImportVersionMaterial(hsm::Token& token, hsm::KeyRef& root,
                                                      absl::string_view department, KeyKind kind,
                                                      absl::Span<const uint8_t> wrapped,
                                                      absl::Span<const uint8_t> public_key_der) {
  const KindInfo& info = Info(kind);
  if (!Importable(kind)) {
    return absl::FailedPreconditionError(
        absl::StrCat(info.name,
                     " keys cannot be imported (only aes256-gcm, hmac-sha256/384, "
                     "ecdsa-* and rsa-* keys)"));
  }
  absl::StatusOr<CK_OBJECT_HANDLE> import_key = hsm::FindObject(
      token, {.object_class = CKO_PRIVATE_KEY, .id = hsm::ToBytes(ImportKeyId(department))});
  if (absl::IsNotFound(import_key.status())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "department ", department, " has no import key yet: get the import parameters first"));
  }
  RETURN_IF_ERROR(import_key.status());
  if (wrapped.size() <= kImportRsaBytes + 8) {
    return absl::InvalidArgumentError("the wrapped key material is too short");
  }
  absl::StatusOr<hsm::ScopedObject> transport =
      UnwrapTransportKey(token, *import_key, wrapped.subspan(0, kImportRsaBytes));
  if (!transport.ok()) {
    return absl::InvalidArgumentError(
        "the wrapped key material does not unwrap under the department's import key");
  }
  const absl::Span<const uint8_t> material = wrapped.subspan(kImportRsaBytes);
  // RFC 5649 wraps n bytes into 8 * ceil(n / 8) + 8: the only length check possible before the
  // HSM has unwrapped a sensitive key it will not show.
  const size_t expected = (info.secret_bytes + 7) / 8 * 8 + 8;
  if (info.family != KeyFamily::kSignature && material.size() != expected) {
    (void)transport->Destroy();
    return absl::InvalidArgumentError(absl::StrCat("a ", info.name, " key is ", info.secret_bytes,
                                                   " bytes; the material wrapped is not"));
  }
  hsm::AttributeTemplate t = UnwrapTemplate(info, Protection::kHsm, true);
  absl::StatusOr<hsm::ScopedObject> key =
      hsm::UnwrapKey(token, transport->handle(), material, t, hsm::kAesKeyWrapPad);
  RETURN_IF_ERROR(transport->Destroy());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key material does not unwrap as a ", info.name, " key"));
  }
  RETURN_IF_ERROR(CheckImported(token, info, key->handle(), public_key_der));
  VersionMaterial out;
  ASSIGN_OR_RETURN(out.wrapped, WrapUnderRoot(token, root, key->handle()));
  RETURN_IF_ERROR(key->Destroy());
  if (info.family == KeyFamily::kSignature) {
    out.public_key_spki.assign(public_key_der.begin(), public_key_der.end());
  }
  return out;
}

}  // namespace yinjian::keys
