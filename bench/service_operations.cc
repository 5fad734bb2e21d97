#include "bench/service_operations.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bench/grpc_load.h"
#include "bench/raw_operation.h"
#include "common/status_macros.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::bench {
namespace {

using Stub = v1::CryptoService::Stub;

// Generous: a call that takes this long means the run is broken, not slow.
constexpr auto kCallDeadline = std::chrono::seconds(30);

std::string Payload(size_t bytes) {
  const hsm::Bytes payload = BenchPayload(bytes);
  return std::string(payload.begin(), payload.end());
}

std::string KeyName(absl::string_view key) { return absl::StrCat(kBenchDepartment, "/", key); }

absl::Status BadResponse(absl::string_view what) {
  return absl::InternalError(absl::StrCat("unexpected response: ", what));
}

// One stub, one request, one reused response; checked after every call.
template <typename Request, typename Response>
class UnaryCall {
 public:
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);
  using Check = absl::Status (*)(const Request&, const Response&);

  UnaryCall(const std::shared_ptr<grpc::Channel>& channel, std::string name, Method method,
            Request request, Check check)
      : stub_(v1::CryptoService::NewStub(channel)),
        name_(std::move(name)),
        method_(method),
        request_(std::move(request)),
        check_(check) {}

  absl::Status operator()() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    response_.Clear();
    RETURN_IF_ERROR(FromGrpcStatus((stub_.get()->*method_)(&context, request_, &response_), name_));
    return check_(request_, response_);
  }

  WireSizes LastSizes() const { return {request_.ByteSizeLong(), response_.ByteSizeLong()}; }

 private:
  std::unique_ptr<Stub> stub_;
  std::string name_;
  Method method_;
  Request request_;
  Response response_;
  Check check_;
};

template <typename Request, typename Response>
ServiceCaller Caller(const std::shared_ptr<grpc::Channel>& channel, std::string name,
                     typename UnaryCall<Request, Response>::Method method, Request request,
                     typename UnaryCall<Request, Response>::Check check) {
  auto call = std::make_shared<UnaryCall<Request, Response>>(channel, std::move(name), method,
                                                             std::move(request), check);
  return ServiceCaller{.call = [call] { return (*call)(); },
                       .last_sizes = [call] { return call->LastSizes(); }};
}

v1::EncryptRequest EncryptRequest() {
  v1::EncryptRequest request;
  request.set_key(InfoOf(ServiceOperation::kEncrypt).key);
  request.set_plaintext(Payload(kServicePayloadBytes));
  return request;
}

absl::Status CheckEncrypt(const v1::EncryptRequest& request, const v1::EncryptResponse& response) {
  if (response.ciphertext().size() <= request.plaintext().size()) {
    return BadResponse("ciphertext shorter than the plaintext");
  }
  return absl::OkStatus();
}

absl::Status CheckSign(const v1::SignRequest&, const v1::SignResponse& response) {
  return response.signature().empty() ? BadResponse("empty signature") : absl::OkStatus();
}

absl::Status CheckMac(const v1::MacRequest&, const v1::MacResponse& response) {
  return response.mac().size() == 32 ? absl::OkStatus() : BadResponse("MAC is not 32 bytes");
}

absl::Status CheckDataKey(const v1::GenerateDataKeyRequest& request,
                          const v1::GenerateDataKeyResponse& response) {
  if (int(response.plaintext().size()) != request.length_bytes() ||
      response.wrapped_data_key().empty()) {
    return BadResponse("data key of the wrong length, or not wrapped");
  }
  return absl::OkStatus();
}

absl::Status CheckBatch(const v1::BatchEncryptRequest& request,
                        const v1::BatchEncryptResponse& response) {
  if (response.results_size() != request.items_size()) return BadResponse("result count");
  for (const v1::BatchEncryptResponse::Result& result : response.results()) {
    if (result.status().code() != 0) {
      return absl::Status(static_cast<absl::StatusCode>(result.status().code()),
                          absl::StrCat("batch item: ", result.status().message()));
    }
    RETURN_IF_ERROR(CheckEncrypt(request.items(0), result.response()));
  }
  return absl::OkStatus();
}

ServiceCaller SignCaller(const std::shared_ptr<grpc::Channel>& channel,
                         const ServiceOperationInfo& info) {
  v1::SignRequest request;
  request.set_key(info.key);
  request.set_message(Payload(kSignedMessageBytes));
  return Caller<v1::SignRequest, v1::SignResponse>(channel, info.name, &Stub::Sign,
                                                   std::move(request), CheckSign);
}

}  // namespace

const std::vector<ServiceOperationInfo>& AllServiceOperations() {
  static const auto* const operations = new std::vector<ServiceOperationInfo>{
      {ServiceOperation::kEncrypt, "Encrypt 1 KiB", KeyName("aes"), v1::KEY_KIND_AES256_GCM, 1},
      {ServiceOperation::kSignEcdsaP256, "Sign ecdsa-p256", KeyName("ecdsa-p256"),
       v1::KEY_KIND_ECDSA_P256, 1},
      {ServiceOperation::kSignRsaPss2048, "Sign rsa-pss-2048", KeyName("rsa-pss-2048"),
       v1::KEY_KIND_RSA_PSS_2048, 1},
      {ServiceOperation::kSignSm2, "Sign sm2", KeyName("sm2"), v1::KEY_KIND_SM2, 1},
      {ServiceOperation::kMac, "Mac 1 KiB", KeyName("hmac"), v1::KEY_KIND_HMAC_SHA256, 1},
      {ServiceOperation::kGenerateDataKey, "GenerateDataKey 32 B", KeyName("aes"),
       v1::KEY_KIND_AES256_GCM, 1},
      {ServiceOperation::kBatchEncrypt, "BatchEncrypt 100 x 1 KiB", KeyName("aes"),
       v1::KEY_KIND_AES256_GCM, kBatchItems},
  };
  return *operations;
}

const ServiceOperationInfo& InfoOf(ServiceOperation operation) {
  for (const ServiceOperationInfo& info : AllServiceOperations()) {
    if (info.operation == operation) return info;
  }
  return AllServiceOperations().front();  // unreachable: every enumerator is listed
}

ServiceCaller MakeServiceCaller(const std::shared_ptr<grpc::Channel>& channel,
                                ServiceOperation operation) {
  const ServiceOperationInfo& info = InfoOf(operation);
  switch (operation) {
    case ServiceOperation::kEncrypt:
      return Caller<v1::EncryptRequest, v1::EncryptResponse>(channel, info.name, &Stub::Encrypt,
                                                             EncryptRequest(), CheckEncrypt);
    case ServiceOperation::kSignEcdsaP256:
    case ServiceOperation::kSignRsaPss2048:
    case ServiceOperation::kSignSm2:
      return SignCaller(channel, info);
    case ServiceOperation::kMac: {
      v1::MacRequest request;
      request.set_key(info.key);
      request.set_message(Payload(kServicePayloadBytes));
      return Caller<v1::MacRequest, v1::MacResponse>(channel, info.name, &Stub::Mac,
                                                     std::move(request), CheckMac);
    }
    case ServiceOperation::kGenerateDataKey: {
      v1::GenerateDataKeyRequest request;
      request.set_key(info.key);
      request.set_length_bytes(32);
      return Caller<v1::GenerateDataKeyRequest, v1::GenerateDataKeyResponse>(
          channel, info.name, &Stub::GenerateDataKey, std::move(request), CheckDataKey);
    }
    case ServiceOperation::kBatchEncrypt: {
      v1::BatchEncryptRequest request;
      for (int i = 0; i < kBatchItems; ++i) *request.add_items() = EncryptRequest();
      return Caller<v1::BatchEncryptRequest, v1::BatchEncryptResponse>(
          channel, info.name, &Stub::BatchEncrypt, std::move(request), CheckBatch);
    }
  }
  return SignCaller(channel, info);  // unreachable
}

absl::StatusOr<WireSizes> ProbeWireSizes(const std::shared_ptr<grpc::Channel>& channel,
                                         ServiceOperation operation) {
  ServiceCaller caller = MakeServiceCaller(channel, operation);
  RETURN_IF_ERROR(caller.call());
  return caller.last_sizes();
}

}  // namespace yinjian::bench
