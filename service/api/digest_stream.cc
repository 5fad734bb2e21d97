// CryptoService.DigestStream: a client-streaming digest over chunks of any total size.
#include <openssl/evp.h>

#include "hsm/ossl_ptr.h"
#include "service/api/crypto_service_impl.h"
#include "service/api/digest_algorithms.h"
#include "service/api/status_convert.h"

namespace yinjian::api {
namespace {

class DigestStreamReactor final : public grpc::ServerReadReactor<v1::DigestChunk> {
 public:
  // `allowed` is the caller's authorization, decided before the first chunk is read.
  DigestStreamReactor(v1::DigestResponse* response, size_t max_chunk, const absl::Status& allowed)
      : response_(response), max_chunk_(max_chunk) {
    if (!allowed.ok()) {
      Finish(ToGrpcStatus(allowed, "DigestStream"));
      return;
    }
    // Headers at once: the client learns the call is being handled (gRPC cancels calls not yet
    // started when the server shuts down, but lets started ones finish).
    StartSendInitialMetadata();
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return FinishDigest();  // the client closed the stream
    if (chunk_.data().size() > max_chunk_) {
      return Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "chunk is too large"));
    }
    if (context_ == nullptr && !Start()) return;
    if (EVP_DigestUpdate(context_.get(), chunk_.data().data(), chunk_.data().size()) != 1) {
      return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
    }
    StartRead(&chunk_);
  }

  void OnDone() override { delete this; }

 private:
  bool Start() {
    absl::StatusOr<hsm::DigestAlgorithm> algorithm = DigestFromProto(chunk_.algorithm());
    if (!algorithm.ok()) {
      Finish(ToGrpcStatus(algorithm.status(), "DigestStream"));
      return false;
    }
    context_.reset(EVP_MD_CTX_new());
    if (context_ == nullptr ||
        EVP_DigestInit_ex(context_.get(), hsm::FetchedDigest(*algorithm), nullptr) != 1) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
      return false;
    }
    response_->set_algorithm(chunk_.algorithm());
    return true;
  }

  void FinishDigest() {
    if (context_ == nullptr) {
      return Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "the stream carried no chunk naming an algorithm"));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest, &length) != 1) {
      return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "internal error"));
    }
    response_->set_digest(std::string(reinterpret_cast<char*>(digest), length));
    Finish(grpc::Status::OK);
  }

  v1::DigestResponse* response_;
  const size_t max_chunk_;
  v1::DigestChunk chunk_;
  hsm::EvpMdCtxPtr context_;
};

}  // namespace

grpc::ServerReadReactor<v1::DigestChunk>* CryptoServiceImpl::DigestStream(
    grpc::CallbackServerContext* context, v1::DigestResponse* response) {
  absl::StatusOr<access::Caller> caller = backends_.identity->Identify(*context);
  absl::Status allowed = caller.ok()
                             ? backends_.access->Authorize(*caller, policy::Action::kDigest)
                             : caller.status();
  return new DigestStreamReactor(response, limits_.max_payload_bytes, allowed);
}

}  // namespace yinjian::api
