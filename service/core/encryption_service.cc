#include "service/core/encryption_service.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/aes_gcm.h"
#include "hsm/random.h"
#include "hsm/sm4_aead.h"
#include "service/format/ciphertext_format.h"

namespace yinjian::core {
namespace {

constexpr absl::string_view kAuthenticationFailed =
    "ciphertext does not authenticate: it was altered, or the encryption context differs";

format::Algorithm AlgorithmOf(keys::KeyKind kind) {
  return kind == keys::KeyKind::kSm4 ? format::Algorithm::kSm4CtrHmacSm3
                                     : format::Algorithm::kAes256Gcm;
}


}  // namespace

absl::StatusOr<std::string> EncryptionService::Seal(const ResolvedVersion& version,
                                                    absl::string_view plaintext,
                                                    const format::EncryptionContext& context) {
  RETURN_IF_ERROR(format::ValidateContext(context));
  format::CiphertextHeader header{.algorithm = AlgorithmOf(version.info.kind),
                                  .department = version.record.department,
                                  .key = version.record.key,
                                  .version = version.record.version};
  ASSIGN_OR_RETURN(std::string out, format::EncodeHeader(header));
  const std::string aad = format::AssociatedData(out, context);
  hsm::Bytes payload;
  RETURN_IF_ERROR(resolver_.WithLoaded(version, [&](const keys::LoadedVersion& loaded) {
    absl::StatusOr<hsm::Bytes> sealed =
        loaded.protection == keys::Protection::kHsm
            ? hsm::AesGcmEncrypt(*version.token, loaded.hsm_handle, hsm::AsSpan(plaintext),
                                 hsm::AsSpan(aad))
            : hsm::Sm4AeadEncrypt(loaded.software_key, hsm::AsSpan(plaintext), hsm::AsSpan(aad));
    if (!sealed.ok()) return sealed.status();
    payload = std::move(*sealed);
    return absl::OkStatus();
  }));
  out.append(payload.begin(), payload.end());
  return out;
}

absl::StatusOr<EncryptResult> EncryptionService::Encrypt(absl::string_view key,
                                                         absl::string_view plaintext,
                                                         const format::EncryptionContext& context) {
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(key, keys::KeyFamily::kEncryption, "Encrypt"));
  ASSIGN_OR_RETURN(std::string ciphertext, Seal(version, plaintext, context));
  return EncryptResult{std::move(ciphertext), version.info};
}

absl::StatusOr<DecryptResult> EncryptionService::Decrypt(absl::string_view ciphertext,
                                                         const format::EncryptionContext& context) {
  RETURN_IF_ERROR(format::ValidateContext(context));
  ASSIGN_OR_RETURN(format::ParsedCiphertext parsed, format::ParseCiphertext(ciphertext));
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.ResolveVersion(parsed.header.department, parsed.header.key,
                                            parsed.header.version, keys::KeyFamily::kEncryption,
                                            "Decrypt"));
  if (AlgorithmOf(version.info.kind) != parsed.header.algorithm) {
    return absl::InvalidArgumentError(kAuthenticationFailed);
  }
  const std::string aad = format::AssociatedData(parsed.header_bytes, context);
  hsm::SecureBytes plaintext;
  absl::Status status = resolver_.WithLoaded(version, [&](const keys::LoadedVersion& loaded) {
    absl::StatusOr<hsm::SecureBytes> opened =
        loaded.protection == keys::Protection::kHsm
            ? hsm::AesGcmDecrypt(*version.token, loaded.hsm_handle, hsm::AsSpan(parsed.payload),
                                 hsm::AsSpan(aad))
            : hsm::Sm4AeadDecrypt(loaded.software_key, hsm::AsSpan(parsed.payload),
                                  hsm::AsSpan(aad));
    if (!opened.ok()) return opened.status();
    plaintext = std::move(*opened);
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return absl::InvalidArgumentError(kAuthenticationFailed);
  }
  RETURN_IF_ERROR(status);
  return DecryptResult{std::move(plaintext), version.info};
}

absl::StatusOr<ReEncryptResult> EncryptionService::ReEncrypt(
    absl::string_view ciphertext, const format::EncryptionContext& source_context,
    absl::string_view destination_key, const format::EncryptionContext& destination_context) {
  ASSIGN_OR_RETURN(DecryptResult opened, Decrypt(ciphertext, source_context));
  std::string destination(destination_key);
  if (destination.empty()) destination = opened.key_version.key;  // its primary version
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(destination, keys::KeyFamily::kEncryption, "ReEncrypt"));
  absl::string_view plaintext(reinterpret_cast<const char*>(opened.plaintext.data()),
                              opened.plaintext.size());
  ASSIGN_OR_RETURN(std::string sealed, Seal(version, plaintext, destination_context));
  return ReEncryptResult{std::move(sealed), opened.key_version, version.info};
}

absl::StatusOr<DataKeyResult> EncryptionService::GenerateDataKey(
    absl::string_view key, int length, const format::EncryptionContext& context,
    bool with_plaintext) {
  if (length == 0) length = 32;
  if (length < 16 || length > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("data key length must be 16 to 64 bytes, got ", length));
  }
  ASSIGN_OR_RETURN(ResolvedVersion version,
                   resolver_.Resolve(key, keys::KeyFamily::kEncryption, "GenerateDataKey"));
  ASSIGN_OR_RETURN(hsm::Bytes random, hsm::GenerateRandom(*version.token, length));
  hsm::SecureBytes data_key(random.begin(), random.end());
  OPENSSL_cleanse(random.data(), random.size());
  absl::string_view plaintext(reinterpret_cast<const char*>(data_key.data()), data_key.size());
  ASSIGN_OR_RETURN(std::string wrapped, Seal(version, plaintext, context));
  DataKeyResult result{.wrapped_data_key = std::move(wrapped), .key_version = version.info};
  if (with_plaintext) result.plaintext = std::move(data_key);
  return result;
}

}  // namespace yinjian::core
