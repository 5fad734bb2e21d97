#include "service/audit/sm2_log_key.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "hsm/attributes.h"
#include "hsm/objects.h"
#include "hsm/public_key.h"
#include "hsm/sm2.h"
#include "service/keys/key_kind.h"
#include "service/keys/root_key.h"
#include "service/keys/version_material.h"

namespace yinjian::audit {
namespace {

// The wrapped key's data object, if the token has one.
absl::StatusOr<std::optional<hsm::Bytes>> FindWrapped(hsm::Token& token) {
  ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> found,
      hsm::FindObjects(token, {.object_class = CKO_DATA, .label = std::string(kSm2LogKeyLabel)}));
  if (found.empty()) return std::nullopt;
  if (found.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat("the token holds ", found.size(),
                                                      " objects labelled ", kSm2LogKeyLabel,
                                                      "; remove all but the one in use"));
  }
  ASSIGN_OR_RETURN(hsm::Bytes wrapped, hsm::ReadBytesAttribute(token, found.front(), CKA_VALUE));
  return wrapped;
}

// Generates the key under the wrapping key (making that first if need be) and keeps the wrapped
// bytes in a private, unmodifiable token data object.
absl::StatusOr<hsm::Bytes> Generate(hsm::Token& token, hsm::KeyRef& wrapping_key) {
  absl::Status created = keys::CreateRootKeyWithId(token, kSm2LogWrappingKeyId);
  if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
  ASSIGN_OR_RETURN(keys::VersionMaterial material,
                   keys::GenerateVersionMaterial(token, wrapping_key, keys::KeyKind::kSm2,
                                                 keys::Protection::kSoftware));
  hsm::AttributeTemplate data;
  data.SetUlong(CKA_CLASS, CKO_DATA)
      .SetBool(CKA_TOKEN, true)
      .SetBool(CKA_PRIVATE, true)
      .SetBool(CKA_MODIFIABLE, false)
      .SetString(CKA_LABEL, kSm2LogKeyLabel)
      .SetString(CKA_APPLICATION, "yinjian")
      .SetBytes(CKA_VALUE, material.wrapped);
  ASSIGN_OR_RETURN(hsm::ScopedObject object, hsm::CreateObject(token, data));
  object.Keep();
  return std::move(material.wrapped);
}

absl::StatusOr<hsm::SecureBytes> Unwrap(hsm::Token& token, hsm::KeyRef& wrapping_key,
                                        const hsm::Bytes& wrapped) {
  ASSIGN_OR_RETURN(keys::LoadedVersion loaded,
                   keys::LoadVersion(token, wrapping_key, keys::KeyKind::kSm2,
                                     keys::Protection::kSoftware, {.wrapped = wrapped}));
  return std::move(loaded.software_key);
}

}  // namespace

Sm2LogKey::Sm2LogKey(hsm::Token& token, hsm::Bytes wrapped, hsm::Bytes spki, std::string pem)
    : token_(token),
      wrapping_key_(keys::RootKeyRef(token, kSm2LogWrappingKeyId)),
      wrapped_(std::move(wrapped)),
      spki_(std::move(spki)),
      pem_(std::move(pem)) {}

absl::StatusOr<std::unique_ptr<Sm2LogKey>> Sm2LogKey::OpenOrCreate(hsm::Token& token) {
  hsm::KeyRef wrapping_key = keys::RootKeyRef(token, kSm2LogWrappingKeyId);
  ASSIGN_OR_RETURN(std::optional<hsm::Bytes> wrapped, FindWrapped(token));
  if (!wrapped.has_value()) {
    ASSIGN_OR_RETURN(wrapped, Generate(token, wrapping_key));
  }
  absl::StatusOr<hsm::SecureBytes> private_key = Unwrap(token, wrapping_key, *wrapped);
  if (!private_key.ok()) {
    return absl::Status(private_key.status().code(),
                        absl::StrCat("the SM2 audit log key (", kSm2LogKeyLabel,
                                     ") cannot be opened: ", private_key.status().message()));
  }
  ASSIGN_OR_RETURN(hsm::Bytes spki, hsm::Sm2PublicKeySpki(*private_key));
  ASSIGN_OR_RETURN(std::string pem, hsm::SpkiDerToPem(spki));
  return std::unique_ptr<Sm2LogKey>(
      new Sm2LogKey(token, *std::move(wrapped), std::move(spki), std::move(pem)));
}

absl::StatusOr<hsm::Bytes> Sm2LogKey::Sign(absl::Span<const uint8_t> message) {
  ASSIGN_OR_RETURN(hsm::SecureBytes private_key, Unwrap(token_, wrapping_key_, wrapped_));
  return hsm::Sm2Sign(private_key, message);
}

}  // namespace yinjian::audit
