#include "service/api/backup_service_impl.h"

#include <deque>
#include <fstream>
#include <optional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "service/api/status_convert.h"
#include "service/backup/backup_creator.h"

namespace yinjian::api {
namespace {

// The call goes through three phases: the worker makes the backup (progress is streamed); the
// outcome is recorded in the audit log (fail closed: no file is sent unless it is recorded);
// the files are streamed. Finish is called once, from whichever phase ends the call.
class CreateBackupReactor final : public grpc::ServerWriteReactor<v1::CreateBackupResponse> {
 public:
  CreateBackupReactor(grpc::CallbackServerContext* context, const v1::CreateBackupRequest* request,
                      const BackupBackends& backends)
      : context_(context), request_(request), backends_(backends) {}

  void Start() {
    caller_ = backends_.identity->Identify(*context_);
    absl::Status allowed = caller_.status();
    if (caller_.ok()) {
      access::ScopedDecisionTrace scope(&trace_);
      allowed = backends_.access->Authorize(*caller_, policy::Action::kCreateBackup);
    }
    if (!allowed.ok()) return Record(allowed);
    StartSendInitialMetadata();
    worker_ = std::thread([this] { Work(); });
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) cancelled_ = true;
    }
    Pump();
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    Pump();
  }

  void OnDone() override {
    // gRPC may run this on the worker itself (when its Finish ran the reaction inline): the
    // worker touches nothing of this object after Finish, so it is let go instead.
    if (worker_.joinable()) {
      if (worker_.get_id() == std::this_thread::get_id()) {
        worker_.detach();
      } else {
        worker_.join();
      }
    }
    delete this;
  }

 private:
  void Work() {
    absl::StatusOr<backup::CreatedBackup> made = backup::CreateBackup(
        *backends_.store, *backends_.tokens,
        {.custodians = request_->custodians(),
         .threshold = request_->threshold(),
         .custodian_certificates = {request_->custodian_certificates().begin(),
                                    request_->custodian_certificates().end()},
         .staging_dir = backends_.staging_dir,
         .now = absl::Now(),
         .progress = [this](int64_t done, int64_t total) { return Progress(done, total); }});
    if (!made.ok()) return Record(made.status());
    {
      absl::MutexLock lock(&mu_);
      backup_.emplace(std::move(*made));
    }
    Record(absl::OkStatus());
  }

  // Queues a progress message (replacing one not yet sent); false once the call is cancelled.
  bool Progress(int64_t done, int64_t total) {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_) return false;
      if (queue_.empty() || !queue_.back().has_progress()) queue_.emplace_back();
      v1::BackupProgress* progress = queue_.back().mutable_progress();
      progress->set_versions_done(done);
      progress->set_versions_total(total);
    }
    Pump();
    return true;
  }

  void Record(absl::Status status) {
    const bool made = status.ok();
    backends_.auditor->Record(*context_,
                              {.method = "CreateBackup",
                               .caller = &caller_,
                               .trace = &trace_,
                               .request = request_,
                               .response = made ? &backup_->manifest : nullptr,
                               .status = std::move(status)},
                              [this, made](absl::Status recorded) {
                                {
                                  absl::MutexLock lock(&mu_);
                                  recorded_ = true;
                                  outcome_ = recorded;
                                  sending_ = made && recorded.ok();
                                }
                                Pump();
                              });
  }

  // Starts the next write, or finishes the call when nothing is left to do.
  void Pump() {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || writing_) return;
      if (cancelled_) {
        // A running backup stops at its next version and records that; wait for it.
        if (!recorded_) return;
        finish = grpc::Status(grpc::StatusCode::CANCELLED, "the backup was abandoned");
      } else if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
        writing_ = true;
      } else if (recorded_ && !sending_) {
        finish = ToGrpcStatus(outcome_, "CreateBackup");
      } else if (sending_) {
        absl::Status chunk = NextChunk();
        if (!chunk.ok()) {
          finish = ToGrpcStatus(chunk, "CreateBackup");
        } else if (current_.has_file()) {
          writing_ = true;
        } else {
          finish = grpc::Status::OK;  // every file sent
        }
      }
      if (finish.has_value()) finished_ = true;
      if (!finish.has_value() && !writing_) return;  // the worker is still busy
    }
    if (finish.has_value()) return Finish(*finish);
    StartWrite(&current_);
  }

  // The next chunk of the backup's files into current_ (none when every file is sent).
  absl::Status NextChunk() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    current_.Clear();
    if (file_index_ >= backup_->files.size()) return absl::OkStatus();
    const backup::BackupFile& file = backup_->files[file_index_];
    v1::BackupFileChunk* chunk = current_.mutable_file();
    chunk->set_name(file.name);
    bool last = false;
    if (file.path.empty()) {
      chunk->set_data(file.contents.substr(offset_, backends_.chunk_bytes));
      offset_ += chunk->data().size();
      last = offset_ >= file.contents.size();
    } else {
      if (!in_.is_open()) {
        in_.open(file.path, std::ios::binary);
        if (!in_) return absl::InternalError("cannot read the store snapshot");
      }
      std::string data(backends_.chunk_bytes, '\0');
      in_.read(data.data(), std::streamsize(data.size()));
      data.resize(size_t(in_.gcount()));
      if (in_.bad()) return absl::InternalError("cannot read the store snapshot");
      chunk->set_data(std::move(data));
      last = in_.peek() == std::char_traits<char>::eof();
    }
    chunk->set_last(last);
    if (last) {
      ++file_index_;
      offset_ = 0;
      in_.close();
    }
    return absl::OkStatus();
  }

  grpc::CallbackServerContext* const context_;
  const v1::CreateBackupRequest* const request_;
  const BackupBackends& backends_;
  absl::StatusOr<access::Caller> caller_;
  access::DecisionTrace trace_;
  std::thread worker_;

  absl::Mutex mu_;
  std::deque<v1::CreateBackupResponse> queue_ ABSL_GUARDED_BY(mu_);
  v1::CreateBackupResponse current_;  // written only while no write is in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool recorded_ ABSL_GUARDED_BY(mu_) = false;
  bool sending_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status outcome_ ABSL_GUARDED_BY(mu_);
  std::optional<backup::CreatedBackup> backup_;
  size_t file_index_ = 0;
  size_t offset_ = 0;
  std::ifstream in_;
};

}  // namespace

grpc::ServerWriteReactor<v1::CreateBackupResponse>* BackupServiceImpl::CreateBackup(
    grpc::CallbackServerContext* context, const v1::CreateBackupRequest* request) {
  auto* reactor = new CreateBackupReactor(context, request, backends_);
  reactor->Start();
  return reactor;
}

}  // namespace yinjian::api
