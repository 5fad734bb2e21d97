#include "service/core/signature_service.h"

#include "common/status_macros.h"
#include "hsm/public_key.h"
#include "hsm/signing.h"
#include "hsm/sm2.h"
#include "hsm/software_verify.h"

namespace yinjian::core {
namespace {

absl::StatusOr<hsm::Bytes> SignLoaded(const ResolvedVersion& version,
                                      const keys::LoadedVersion& loaded, SignatureInput input) {
  const hsm::SignatureAlgorithm algorithm = *keys::Info(version.info.kind).signature;
  if (loaded.protection == keys::Protection::kSoftware) {
    if (input.is_digest) {
      return absl::InvalidArgumentError("SM2 keys sign messages, not precomputed digests");
    }
    return hsm::Sm2Sign(loaded.software_key, hsm::AsSpan(input.data));
  }
  return input.is_digest
             ? hsm::SignDigest(*version.token, loaded.hsm_handle, algorithm, hsm::AsSpan(input.data))
             : hsm::SignMessage(*version.token, loaded.hsm_handle, algorithm, hsm::AsSpan(input.data));
}

}  // namespace

absl::StatusOr<SignResult> SignatureService::Sign(absl::string_view key, SignatureInput input) {
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(key, keys::KeyFamily::kSignature, "Sign"));
  hsm::Bytes signature;
  RETURN_IF_ERROR(resolver_.WithLoaded(version, [&](const keys::LoadedVersion& loaded) {
    absl::StatusOr<hsm::Bytes> made = SignLoaded(version, loaded, input);
    if (!made.ok()) return made.status();
    signature = std::move(*made);
    return absl::OkStatus();
  }));
  return SignResult{std::string(signature.begin(), signature.end()), version.info};
}

absl::StatusOr<VerifyResult> SignatureService::Verify(absl::string_view key, SignatureInput input,
                                                      absl::string_view signature) {
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(key, keys::KeyFamily::kSignature, "Verify"));
  const hsm::SignatureAlgorithm algorithm = *keys::Info(version.info.kind).signature;
  const hsm::Bytes spki = hsm::ToBytes(version.record.public_key_spki);
  absl::StatusOr<bool> valid =
      input.is_digest
          ? hsm::VerifyDigestSignature(spki, algorithm, hsm::AsSpan(input.data), hsm::AsSpan(signature))
          : hsm::VerifySignature(spki, algorithm, hsm::AsSpan(input.data), hsm::AsSpan(signature));
  RETURN_IF_ERROR(valid.status());
  return VerifyResult{*valid, version.info};
}

absl::StatusOr<PublicKeyResult> SignatureService::GetPublicKey(absl::string_view key) {
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(key, keys::KeyFamily::kSignature, "GetPublicKey"));
  ASSIGN_OR_RETURN(std::string pem,
                   hsm::SpkiDerToPem(hsm::ToBytes(version.record.public_key_spki)));
  return PublicKeyResult{std::move(pem), version.info};
}

}  // namespace yinjian::core
