// Department root key rotation (R1, schema step 6) on SqliteStore's connection. Each public
// operation has the contract of its namesake in store.h: it checks its arguments, runs in its own
// transaction on `db` (BEGIN IMMEDIATE for writes, so the department's root, the rotation and the
// version being re-wrapped are read and changed under the database's write lock, atomically
// across replicas) and returns records as stored (times truncated to microseconds). The caller
// serialises use of `db` (SqliteStore holds its mutex). Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_ROOT_ROTATIONS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_ROOT_ROTATIONS_H_

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store/records.h"

namespace yinjian::store::sqlite {

// INVALID_ARGUMENT for an empty department, new_root_key_id or `by`.
absl::StatusOr<RootRotationRecord> BeginRootRotation(sqlite3* db, absl::string_view department,
                                                     absl::string_view new_root_key_id,
                                                     absl::string_view by, absl::Time when);
absl::StatusOr<RootRotationRecord> LatestRootRotation(sqlite3* db, absl::string_view department);
absl::StatusOr<std::vector<RootRotationRecord>> ListUnfinishedRootRotations(sqlite3* db);
// NOT_FOUND for an unknown department (rather than nothing, which would read as "nothing left
// under the old root"); INVALID_ARGUMENT for a negative limit.
absl::StatusOr<std::vector<KeyVersionRecord>> ListVersionsNotWrappedUnder(
    sqlite3* db, absl::string_view department, absl::string_view root_key_id, int32_t limit);
// NOT_FOUND for an unknown department, as ListVersionsNotWrappedUnder.
absl::StatusOr<int64_t> CountVersionsNotWrappedUnder(sqlite3* db, absl::string_view department,
                                                     absl::string_view root_key_id);
// INVALID_ARGUMENT for an empty new_root_key_id or new_wrapped_material (the version would read
// as HSM-resident and lose its material).
absl::StatusOr<std::vector<bool>> RewrapVersions(sqlite3* db,
                                                 absl::Span<const VersionRewrap> rewraps,
                                                 absl::Time when);
// NOT_FOUND for an unknown id; INVALID_ARGUMENT for `when` InfinitePast (which marks a rotation
// as running).
absl::StatusOr<RootRotationRecord> FinishRootRotation(sqlite3* db, int64_t id, absl::Time when);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_ROOT_ROTATIONS_H_
