#include "service/api/crypto_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/random.h"
#include "hsm/software_digest.h"
#include "service/api/digest_algorithms.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"
#include "service/format/ciphertext_format.h"

namespace yinjian::api {
namespace {

std::string AsString(const hsm::SecureBytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Runs one batch item; the item's status goes into the result, never into the call's status.
template <typename Result, typename Fn>
void RunItem(Result* result, Fn&& fn) {
  absl::Status status = fn(result->mutable_response());
  grpc::Status converted = ToGrpcStatus(status, "batch item");
  result->mutable_status()->set_code(static_cast<int>(converted.error_code()));
  result->mutable_status()->set_message(converted.error_message());
  if (!status.ok()) result->clear_response();
}

}  // namespace

absl::Status CryptoServiceImpl::CheckPayload(size_t bytes, absl::string_view what) const {
  if (bytes <= limits_.max_payload_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(what, " of ", bytes, " bytes exceeds the limit of ", limits_.max_payload_bytes));
}

absl::Status CryptoServiceImpl::CheckCiphertext(size_t bytes) const {
  const size_t limit = limits_.max_payload_bytes + format::kMaxCiphertextOverhead;
  if (bytes <= limit) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("ciphertext of ", bytes, " bytes exceeds the limit of ", limit));
}

absl::Status CryptoServiceImpl::CheckPurpose(const std::string& purpose) const {
  if (purpose.size() <= limits_.max_purpose_bytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("purpose is longer than ", limits_.max_purpose_bytes, " bytes"));
}

absl::Status CryptoServiceImpl::CheckBatch(size_t items) const {
  if (items == 0) return absl::InvalidArgumentError("batch has no items");
  if (items <= limits_.max_batch_items) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("batch of ", items, " items exceeds the limit of ", limits_.max_batch_items));
}

absl::Status CryptoServiceImpl::AuthorizeCiphertext(const access::Caller& caller,
                                                    absl::string_view ciphertext,
                                                    absl::string_view purpose) {
  ASSIGN_OR_RETURN(format::ParsedCiphertext parsed, format::ParseCiphertext(ciphertext));
  return backends_.access->AuthorizeKeyUse(caller, policy::Action::kDecrypt,
                                           parsed.header.department, parsed.header.key, purpose);
}

absl::Status CryptoServiceImpl::DoEncrypt(const access::Caller& caller,
                                          const v1::EncryptRequest& request,
                                          v1::EncryptResponse* response) {
  RETURN_IF_ERROR(CheckPayload(request.plaintext().size(), "plaintext"));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(caller, policy::Action::kEncrypt, request.key(),
                                                    request.purpose()));
  ASSIGN_OR_RETURN(core::EncryptResult result,
                   backends_.encryption->Encrypt(request.key(), request.plaintext(),
                                                 ToContext(request.context())));
  response->set_ciphertext(std::move(result.ciphertext));
  ToProto(result.key_version, response->mutable_key_version());
  return absl::OkStatus();
}

absl::Status CryptoServiceImpl::DoDecrypt(const access::Caller& caller,
                                          const v1::DecryptRequest& request,
                                          v1::DecryptResponse* response) {
  RETURN_IF_ERROR(CheckCiphertext(request.ciphertext().size()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RETURN_IF_ERROR(AuthorizeCiphertext(caller, request.ciphertext(), request.purpose()));
  ASSIGN_OR_RETURN(
      core::DecryptResult result,
      backends_.encryption->Decrypt(request.ciphertext(), ToContext(request.context())));
  response->set_plaintext(AsString(result.plaintext));
  ToProto(result.key_version, response->mutable_key_version());
  return absl::OkStatus();
}

absl::Status CryptoServiceImpl::DoSign(const access::Caller& caller, const v1::SignRequest& request,
                                       v1::SignResponse* response) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(caller, policy::Action::kSign, request.key(),
                                                    request.purpose()));
  if (request.input_case() == v1::SignRequest::INPUT_NOT_SET) {
    return absl::InvalidArgumentError("give a message or a digest to sign");
  }
  const bool is_digest = request.input_case() == v1::SignRequest::kDigest;
  const std::string& data = is_digest ? request.digest() : request.message();
  RETURN_IF_ERROR(CheckPayload(data.size(), "message"));
  ASSIGN_OR_RETURN(core::SignResult result,
                   backends_.signatures->Sign(request.key(), {data, is_digest}));
  response->set_signature(std::move(result.signature));
  ToProto(result.key_version, response->mutable_key_version());
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Encrypt(grpc::CallbackServerContext* context,
                                                     const v1::EncryptRequest* request,
                                                     v1::EncryptResponse* response) {
  return RunAsCaller(
      context, "Encrypt", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) { return DoEncrypt(caller, *request, response); });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Decrypt(grpc::CallbackServerContext* context,
                                                     const v1::DecryptRequest* request,
                                                     v1::DecryptResponse* response) {
  return RunAsCaller(
      context, "Decrypt", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) { return DoDecrypt(caller, *request, response); });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::ReEncrypt(grpc::CallbackServerContext* context,
                                                       const v1::ReEncryptRequest* request,
                                                       v1::ReEncryptResponse* response) {
  return RunAsCaller(
      context, "ReEncrypt", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckCiphertext(request->ciphertext().size()));
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        RETURN_IF_ERROR(AuthorizeCiphertext(caller, request->ciphertext(), request->purpose()));
        RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(
            caller, policy::Action::kEncrypt, request->destination_key(), request->purpose()));
        ASSIGN_OR_RETURN(
            core::ReEncryptResult result,
            backends_.encryption->ReEncrypt(
                request->ciphertext(), ToContext(request->source_context()),
                request->destination_key(), ToContext(request->destination_context())));
        response->set_ciphertext(std::move(result.ciphertext));
        ToProto(result.source_key_version, response->mutable_source_key_version());
        ToProto(result.key_version, response->mutable_key_version());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::GenerateDataKey(
    grpc::CallbackServerContext* context, const v1::GenerateDataKeyRequest* request,
    v1::GenerateDataKeyResponse* response) {
  return RunAsCaller(
      context, "GenerateDataKey", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(caller, policy::Action::kGenerateDataKey,
                                                          request->key(), request->purpose()));
        ASSIGN_OR_RETURN(core::DataKeyResult result,
                         backends_.encryption->GenerateDataKey(
                             request->key(), request->length_bytes(), ToContext(request->context()),
                             !request->without_plaintext()));
        response->set_plaintext(AsString(result.plaintext));
        response->set_wrapped_data_key(std::move(result.wrapped_data_key));
        ToProto(result.key_version, response->mutable_key_version());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Sign(grpc::CallbackServerContext* context,
                                                  const v1::SignRequest* request,
                                                  v1::SignResponse* response) {
  return RunAsCaller(
      context, "Sign", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) { return DoSign(caller, *request, response); });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Verify(grpc::CallbackServerContext* context,
                                                    const v1::VerifyRequest* request,
                                                    v1::VerifyResponse* response) {
  return RunAsCaller(
      context, "Verify", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        if (request->input_case() == v1::VerifyRequest::INPUT_NOT_SET) {
          return absl::InvalidArgumentError("give the signed message or digest");
        }
        const bool is_digest = request->input_case() == v1::VerifyRequest::kDigest;
        const std::string& data = is_digest ? request->digest() : request->message();
        RETURN_IF_ERROR(CheckPayload(data.size(), "message"));
        RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(caller, policy::Action::kVerify,
                                                          request->key(), request->purpose()));
        ASSIGN_OR_RETURN(
            core::VerifyResult result,
            backends_.signatures->Verify(request->key(), {data, is_digest}, request->signature()));
        response->set_valid(result.valid);
        ToProto(result.key_version, response->mutable_key_version());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Mac(grpc::CallbackServerContext* context,
                                                 const v1::MacRequest* request,
                                                 v1::MacResponse* response) {
  return RunAsCaller(context, "Mac", *backends_.identity, *backends_.auditor, request, response,
                     [&](const access::Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(CheckPayload(request->message().size(), "message"));
                       RETURN_IF_ERROR(CheckPurpose(request->purpose()));
                       RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(
                           caller, policy::Action::kMac, request->key(), request->purpose()));
                       ASSIGN_OR_RETURN(core::MacResult result,
                                        backends_.macs->Mac(request->key(), request->message()));
                       response->set_mac(std::move(result.mac));
                       ToProto(result.key_version, response->mutable_key_version());
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::VerifyMac(grpc::CallbackServerContext* context,
                                                       const v1::VerifyMacRequest* request,
                                                       v1::VerifyMacResponse* response) {
  return RunAsCaller(context, "VerifyMac", *backends_.identity, *backends_.auditor, request,
                     response, [&](const access::Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(CheckPayload(request->message().size(), "message"));
                       RETURN_IF_ERROR(CheckPurpose(request->purpose()));
                       RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(
                           caller, policy::Action::kVerifyMac, request->key(), request->purpose()));
                       ASSIGN_OR_RETURN(core::VerifyMacResult result,
                                        backends_.macs->VerifyMac(
                                            request->key(), request->message(), request->mac()));
                       response->set_valid(result.valid);
                       ToProto(result.key_version, response->mutable_key_version());
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::Digest(grpc::CallbackServerContext* context,
                                                    const v1::DigestRequest* request,
                                                    v1::DigestResponse* response) {
  return RunAsCaller(
      context, "Digest", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckPayload(request->data().size(), "data"));
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        RETURN_IF_ERROR(backends_.access->Authorize(caller, policy::Action::kDigest));
        ASSIGN_OR_RETURN(hsm::DigestAlgorithm algorithm, DigestFromProto(request->algorithm()));
        const std::string& data = request->data();
        ASSIGN_OR_RETURN(
            hsm::Bytes digest,
            hsm::SoftwareDigest(
                algorithm, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()),
                                                     data.size())));
        response->set_digest(std::string(digest.begin(), digest.end()));
        response->set_algorithm(request->algorithm());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::GetPublicKey(grpc::CallbackServerContext* context,
                                                          const v1::GetPublicKeyRequest* request,
                                                          v1::GetPublicKeyResponse* response) {
  return RunAsCaller(
      context, "GetPublicKey", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        RETURN_IF_ERROR(backends_.access->AuthorizeKeyUse(caller, policy::Action::kGetPublicKey,
                                                          request->key(), request->purpose()));
        ASSIGN_OR_RETURN(core::PublicKeyResult result,
                         backends_.signatures->GetPublicKey(request->key()));
        response->set_pem(std::move(result.pem));
        ToProto(result.key_version, response->mutable_key_version());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::GenerateRandom(
    grpc::CallbackServerContext* context, const v1::GenerateRandomRequest* request,
    v1::GenerateRandomResponse* response) {
  return RunAsCaller(
      context, "GenerateRandom", *backends_.identity, *backends_.auditor, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckPurpose(request->purpose()));
        RETURN_IF_ERROR(backends_.access->Authorize(caller, policy::Action::kGenerateRandom));
        if (request->length_bytes() <= 0) {
          return absl::InvalidArgumentError("length_bytes must be positive");
        }
        if (static_cast<size_t>(request->length_bytes()) > hsm::kMaxRandomBytes) {
          return absl::ResourceExhaustedError(
              absl::StrCat("at most ", hsm::kMaxRandomBytes, " random bytes per call"));
        }
        ASSIGN_OR_RETURN(hsm::Bytes random,
                         hsm::GenerateRandom(*backends_.random_token, request->length_bytes()));
        response->set_data(std::string(random.begin(), random.end()));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::BatchEncrypt(grpc::CallbackServerContext* context,
                                                          const v1::BatchEncryptRequest* request,
                                                          v1::BatchEncryptResponse* response) {
  return RunAsCaller(context, "BatchEncrypt", *backends_.identity, *backends_.auditor, request,
                     response, [&](const access::Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(CheckBatch(request->items_size()));
                       for (const v1::EncryptRequest& item : request->items()) {
                         RunItem(response->add_results(), [&](v1::EncryptResponse* out) {
                           return DoEncrypt(caller, item, out);
                         });
                       }
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::BatchDecrypt(grpc::CallbackServerContext* context,
                                                          const v1::BatchDecryptRequest* request,
                                                          v1::BatchDecryptResponse* response) {
  return RunAsCaller(context, "BatchDecrypt", *backends_.identity, *backends_.auditor, request,
                     response, [&](const access::Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(CheckBatch(request->items_size()));
                       for (const v1::DecryptRequest& item : request->items()) {
                         RunItem(response->add_results(), [&](v1::DecryptResponse* out) {
                           return DoDecrypt(caller, item, out);
                         });
                       }
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* CryptoServiceImpl::BatchSign(grpc::CallbackServerContext* context,
                                                       const v1::BatchSignRequest* request,
                                                       v1::BatchSignResponse* response) {
  return RunAsCaller(context, "BatchSign", *backends_.identity, *backends_.auditor, request,
                     response, [&](const access::Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(CheckBatch(request->items_size()));
                       for (const v1::SignRequest& item : request->items()) {
                         RunItem(response->add_results(),
                                 [&](v1::SignResponse* out) { return DoSign(caller, item, out); });
                       }
                       return absl::OkStatus();
                     });
}

}  // namespace yinjian::api
