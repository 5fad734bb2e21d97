#include "service/audit/log_key.h"

#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "hsm/key_generation.h"
#include "hsm/objects.h"
#include "hsm/public_key.h"
#include "hsm/public_key_export.h"
#include "hsm/signing.h"

namespace yinjian::audit {
namespace {

hsm::Bytes Id() { return hsm::ToBytes(absl::string_view(kLogKeyId)); }

// The public key's SPKI, generating the pair first if the token has no public key of that id.
absl::StatusOr<hsm::Bytes> FindOrGenerate(hsm::Token& token) {
  absl::StatusOr<CK_OBJECT_HANDLE> found =
      hsm::FindObject(token, {.object_class = CKO_PUBLIC_KEY, .id = Id()});
  if (found.ok()) return hsm::ExportPublicKeySpki(token, *found);
  if (!absl::IsNotFound(found.status())) return found.status();
  ASSIGN_OR_RETURN(hsm::ScopedKeyPair pair,
                   hsm::GenerateEcKeyPair(token, hsm::EcCurve::kP256,
                                          {.label = kLogKeyId, .id = Id(), .token_object = true}));
  ASSIGN_OR_RETURN(hsm::Bytes spki, hsm::ExportPublicKeySpki(token, pair.public_key.handle()));
  pair.public_key.Keep();
  pair.private_key.Keep();
  return spki;
}

}  // namespace

LogKey::LogKey(hsm::Token& token, hsm::Bytes spki, std::string pem)
    : token_(token),
      private_key_(token, CKO_PRIVATE_KEY, Id()),
      spki_(std::move(spki)),
      pem_(std::move(pem)) {}

absl::StatusOr<std::unique_ptr<LogKey>> LogKey::OpenOrCreate(hsm::Token& token) {
  ASSIGN_OR_RETURN(hsm::Bytes spki, FindOrGenerate(token));
  ASSIGN_OR_RETURN(std::string pem, hsm::SpkiDerToPem(spki));
  std::unique_ptr<LogKey> key(new LogKey(token, std::move(spki), std::move(pem)));
  RETURN_IF_ERROR(key->private_key_.Handle().status());
  return key;
}

absl::StatusOr<hsm::Bytes> LogKey::Sign(absl::Span<const uint8_t> message) {
  hsm::Bytes signature;
  RETURN_IF_ERROR(private_key_.Use([&](CK_OBJECT_HANDLE handle) -> absl::Status {
    ASSIGN_OR_RETURN(signature, hsm::SignMessage(token_, handle,
                                                 hsm::SignatureAlgorithm::kEcdsaSha256, message));
    return absl::OkStatus();
  }));
  return signature;
}

}  // namespace yinjian::audit
