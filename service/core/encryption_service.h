// Encrypt, Decrypt, ReEncrypt and GenerateDataKey. Ciphertexts use the self-describing format of
// docs/formats.md: the header names the key version, and the header plus the canonical
// encryption context are the AEAD's associated data. Nothing here ever returns partial plaintext:
// a ciphertext that fails authentication yields INVALID_ARGUMENT and no bytes.
#ifndef YINJIAN_SERVICE_CORE_ENCRYPTION_SERVICE_H_
#define YINJIAN_SERVICE_CORE_ENCRYPTION_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/secure_bytes.h"
#include "service/core/key_resolver.h"
#include "service/format/encryption_context.h"

namespace yinjian::core {

struct EncryptResult {
  std::string ciphertext;
  KeyVersionInfo key_version;
};

struct DecryptResult {
  hsm::SecureBytes plaintext;
  KeyVersionInfo key_version;
};

struct ReEncryptResult {
  std::string ciphertext;
  KeyVersionInfo source_key_version;
  KeyVersionInfo key_version;
};

struct DataKeyResult {
  hsm::SecureBytes plaintext;  // empty when asked without plaintext
  std::string wrapped_data_key;
  KeyVersionInfo key_version;
};

class EncryptionService {
 public:
  explicit EncryptionService(KeyResolver& resolver) : resolver_(resolver) {}

  absl::StatusOr<EncryptResult> Encrypt(absl::string_view key, absl::string_view plaintext,
                                        const format::EncryptionContext& context);
  // INVALID_ARGUMENT for a malformed or tampered ciphertext or a different context; NOT_FOUND if
  // the key it names does not exist; FAILED_PRECONDITION if that version is disabled/destroyed.
  absl::StatusOr<DecryptResult> Decrypt(absl::string_view ciphertext,
                                        const format::EncryptionContext& context);
  // `destination_key` empty: the primary version of the key that made the ciphertext.
  absl::StatusOr<ReEncryptResult> ReEncrypt(absl::string_view ciphertext,
                                            const format::EncryptionContext& source_context,
                                            absl::string_view destination_key,
                                            const format::EncryptionContext& destination_context);
  // A random data key of `length` bytes (16..64; 0 means 32) and its encryption under `key`.
  absl::StatusOr<DataKeyResult> GenerateDataKey(absl::string_view key, int length,
                                                const format::EncryptionContext& context,
                                                bool with_plaintext);

 private:
  absl::StatusOr<std::string> Seal(const ResolvedVersion& version, absl::string_view plaintext,
                                   const format::EncryptionContext& context);

  KeyResolver& resolver_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_ENCRYPTION_SERVICE_H_
