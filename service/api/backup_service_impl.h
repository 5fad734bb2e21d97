// yinjian.v1.BackupService on gRPC's callback API (R12). The backup is made on a worker thread
// (it is HSM work for every key version); the stream sends its progress as it goes and then
// the files in chunks.
#ifndef YINJIAN_SERVICE_API_BACKUP_SERVICE_IMPL_H_
#define YINJIAN_SERVICE_API_BACKUP_SERVICE_IMPL_H_

#include <string>

#include "service/access/access_controller.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/core/token_directory.h"
#include "service/store/store.h"
#include "yinjian/v1/backup.grpc.pb.h"

namespace yinjian::api {

struct BackupBackends {
  const CallIdentity* identity;
  const CallAuditor* auditor;
  access::AccessController* access;
  store::Store* store;
  const core::TokenDirectory* tokens;
  std::string staging_dir;  // where store snapshots are written while they are sent
  size_t chunk_bytes = 1 << 20;
};

class BackupServiceImpl final : public v1::BackupService::CallbackService {
 public:
  explicit BackupServiceImpl(BackupBackends backends) : backends_(std::move(backends)) {}

  grpc::ServerWriteReactor<v1::CreateBackupResponse>* CreateBackup(
      grpc::CallbackServerContext* context, const v1::CreateBackupRequest* request) override;

 private:
  const BackupBackends backends_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_BACKUP_SERVICE_IMPL_H_
