// CryptoService.DigestStream: a client-streaming digest over chunks of any total size.
#include <openssl/evp.h>

#include "hsm/ossl_ptr.h"
#include "service/api/crypto_service_impl.h"
#include "service/api/digest_algorithms.h"
#include "service/api/status_convert.h"

namespace yinjian::api {
namespace {

// What the stream's audit entry needs, gathered when the call starts.
struct StreamAudit {
  grpc::CallbackServerContext* context;
  const CallAuditor* auditor;
  absl::StatusOr<access::Caller> caller;
  access::DecisionTrace trace;
};

class DigestStreamReactor final : public grpc::ServerReadReactor<v1::DigestChunk> {
 public:
  // `allowed` is the caller's authorization, decided before the first chunk is read.
  DigestStreamReactor(v1::DigestResponse* response, size_t max_chunk, const absl::Status& allowed,
                      StreamAudit audit)
      : response_(response), max_chunk_(max_chunk), audit_(std::move(audit)) {
    if (!allowed.ok()) {
      Finish(allowed);
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
      return Finish(absl::ResourceExhaustedError("chunk is too large"));
    }
    if (context_ == nullptr && !Start()) return;
    if (EVP_DigestUpdate(context_.get(), chunk_.data().data(), chunk_.data().size()) != 1) {
      return Finish(absl::InternalError("EVP_DigestUpdate failed"));
    }
    StartRead(&chunk_);
  }

  void OnDone() override { delete this; }

 private:
  // Every way the stream ends goes through here: the call is recorded in the audit log first.
  void Finish(absl::Status status) {
    audit_.auditor->Record(*audit_.context,
                           {.method = "DigestStream",
                            .caller = &audit_.caller,
                            .trace = &audit_.trace,
                            .request = nullptr,
                            .response = response_,
                            .status = std::move(status)},
                           [this](absl::Status recorded) {
                             grpc::ServerReadReactor<v1::DigestChunk>::Finish(
                                 ToGrpcStatus(recorded, "DigestStream"));
                           });
  }

  bool Start() {
    absl::StatusOr<hsm::DigestAlgorithm> algorithm = DigestFromProto(chunk_.algorithm());
    if (!algorithm.ok()) {
      Finish(algorithm.status());
      return false;
    }
    context_.reset(EVP_MD_CTX_new());
    if (context_ == nullptr ||
        EVP_DigestInit_ex(context_.get(), hsm::FetchedDigest(*algorithm), nullptr) != 1) {
      Finish(absl::InternalError("EVP_DigestInit_ex failed"));
      return false;
    }
    response_->set_algorithm(chunk_.algorithm());
    return true;
  }

  void FinishDigest() {
    if (context_ == nullptr) {
      return Finish(absl::InvalidArgumentError("the stream carried no chunk naming an algorithm"));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest, &length) != 1) {
      return Finish(absl::InternalError("EVP_DigestUpdate failed"));
    }
    response_->set_digest(std::string(reinterpret_cast<char*>(digest), length));
    Finish(absl::OkStatus());
  }

  v1::DigestResponse* response_;
  const size_t max_chunk_;
  v1::DigestChunk chunk_;
  hsm::EvpMdCtxPtr context_;
  StreamAudit audit_;
};

}  // namespace

grpc::ServerReadReactor<v1::DigestChunk>* CryptoServiceImpl::DigestStream(
    grpc::CallbackServerContext* context, v1::DigestResponse* response) {
  StreamAudit audit{.context = context,
                    .auditor = backends_.auditor,
                    .caller = backends_.identity->Identify(*context)};
  absl::Status allowed = audit.caller.status();
  if (audit.caller.ok()) {
    access::ScopedDecisionTrace scope(&audit.trace);
    allowed = backends_.access->Authorize(*audit.caller, policy::Action::kDigest);
  }
  return new DigestStreamReactor(response, limits_.max_payload_bytes, allowed, std::move(audit));
}

}  // namespace yinjian::api
