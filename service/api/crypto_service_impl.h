// yinjian.v1.CryptoService on gRPC's callback API. Each handler checks request limits, calls the
// core services, and converts the result; no decision is made here.
#ifndef YINJIAN_SERVICE_API_CRYPTO_SERVICE_IMPL_H_
#define YINJIAN_SERVICE_API_CRYPTO_SERVICE_IMPL_H_

#include "hsm/token.h"
#include "service/access/access_controller.h"
#include "service/access/caller.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/core/encryption_service.h"
#include "service/core/mac_service.h"
#include "service/core/signature_service.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::api {

struct ServiceLimits {
  size_t max_payload_bytes = 1 << 20;  // plaintext, message or chunk in one request
  size_t max_batch_items = 1000;
  size_t max_purpose_bytes = 256;
};

struct CryptoBackends {
  core::EncryptionService* encryption;
  core::SignatureService* signatures;
  core::MacService* macs;
  hsm::Token* random_token;          // the HSM whose generator GenerateRandom uses
  const CallIdentity* identity;      // who is calling
  access::AccessController* access;  // whether they may
  const CallAuditor* auditor;        // what they did, in the audit log
};

class CryptoServiceImpl final : public v1::CryptoService::CallbackService {
 public:
  CryptoServiceImpl(CryptoBackends backends, ServiceLimits limits)
      : backends_(backends), limits_(limits) {}

  grpc::ServerUnaryReactor* Encrypt(grpc::CallbackServerContext*, const v1::EncryptRequest*,
                                    v1::EncryptResponse*) override;
  grpc::ServerUnaryReactor* Decrypt(grpc::CallbackServerContext*, const v1::DecryptRequest*,
                                    v1::DecryptResponse*) override;
  grpc::ServerUnaryReactor* ReEncrypt(grpc::CallbackServerContext*, const v1::ReEncryptRequest*,
                                      v1::ReEncryptResponse*) override;
  grpc::ServerUnaryReactor* GenerateDataKey(grpc::CallbackServerContext*,
                                            const v1::GenerateDataKeyRequest*,
                                            v1::GenerateDataKeyResponse*) override;
  grpc::ServerUnaryReactor* Sign(grpc::CallbackServerContext*, const v1::SignRequest*,
                                 v1::SignResponse*) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext*, const v1::VerifyRequest*,
                                   v1::VerifyResponse*) override;
  grpc::ServerUnaryReactor* Mac(grpc::CallbackServerContext*, const v1::MacRequest*,
                                v1::MacResponse*) override;
  grpc::ServerUnaryReactor* VerifyMac(grpc::CallbackServerContext*, const v1::VerifyMacRequest*,
                                      v1::VerifyMacResponse*) override;
  grpc::ServerUnaryReactor* Digest(grpc::CallbackServerContext*, const v1::DigestRequest*,
                                   v1::DigestResponse*) override;
  grpc::ServerReadReactor<v1::DigestChunk>* DigestStream(grpc::CallbackServerContext*,
                                                         v1::DigestResponse*) override;
  grpc::ServerUnaryReactor* GetPublicKey(grpc::CallbackServerContext*,
                                         const v1::GetPublicKeyRequest*,
                                         v1::GetPublicKeyResponse*) override;
  grpc::ServerUnaryReactor* GenerateRandom(grpc::CallbackServerContext*,
                                           const v1::GenerateRandomRequest*,
                                           v1::GenerateRandomResponse*) override;
  grpc::ServerUnaryReactor* BatchEncrypt(grpc::CallbackServerContext*,
                                         const v1::BatchEncryptRequest*,
                                         v1::BatchEncryptResponse*) override;
  grpc::ServerUnaryReactor* BatchDecrypt(grpc::CallbackServerContext*,
                                         const v1::BatchDecryptRequest*,
                                         v1::BatchDecryptResponse*) override;
  grpc::ServerUnaryReactor* BatchSign(grpc::CallbackServerContext*, const v1::BatchSignRequest*,
                                      v1::BatchSignResponse*) override;

  // The core of each unary call, reused by the batch forms.
  // Each authorizes the caller first (policy/decision.h), before any HSM work.
  absl::Status DoEncrypt(const access::Caller& caller, const v1::EncryptRequest& request,
                         v1::EncryptResponse* response);
  absl::Status DoDecrypt(const access::Caller& caller, const v1::DecryptRequest& request,
                         v1::DecryptResponse* response);
  absl::Status DoSign(const access::Caller& caller, const v1::SignRequest& request,
                      v1::SignResponse* response);

 private:
  absl::Status CheckPayload(size_t bytes, absl::string_view what) const;
  // A ciphertext of a plaintext at the payload limit must still be accepted.
  absl::Status CheckCiphertext(size_t bytes) const;
  absl::Status CheckPurpose(const std::string& purpose) const;
  absl::Status CheckBatch(size_t items) const;
  // The key a ciphertext names, authorized for `action` (Decrypt, ReEncrypt's source).
  absl::Status AuthorizeCiphertext(const access::Caller& caller, absl::string_view ciphertext,
                                   absl::string_view purpose);

  CryptoBackends backends_;
  ServiceLimits limits_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_CRYPTO_SERVICE_IMPL_H_
