// How SqliteStore's records map to rows, in one place: the encodings of times and string lists,
// the SELECT column lists with their *FromRow readers, and the few lookups and checks every part
// of the store shares. Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_ROWS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_ROWS_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {

// Times are INTEGER microseconds since the Unix epoch, truncated toward the past.
// InfinitePast and InfiniteFuture are stored as INT64 min and max and read back as themselves.
int64_t TimeToMicros(absl::Time t);
absl::Time MicrosToTime(int64_t micros);
// `t` as it reads back once stored.
absl::Time StoredTime(absl::Time t);
// The smallest stored value whose time is not before `t` (TimeToMicros rounded up rather than
// down), for range bounds: time_us >= TimeToMicrosRoundingUp(t) selects exactly the stored
// times >= t, and time_us < TimeToMicrosRoundingUp(t) those < t.
int64_t TimeToMicrosRoundingUp(absl::Time t);

// A list of strings is one TEXT column, the items joined by '\n'; the empty list is ''.
// INVALID_ARGUMENT naming `what` if an item is empty or holds a '\n' (it could not be read back).
absl::Status CheckList(absl::string_view what, const std::vector<std::string>& items);
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(absl::string_view joined);
// A list of version numbers (a destruction request's destroyed_versions) likewise, in decimal.
std::string JoinVersions(const std::vector<int32_t>& versions);
std::vector<int32_t> SplitVersions(absl::string_view joined);

// INVALID_ARGUMENT if `name` is empty.
absl::Status CheckName(absl::string_view what, absl::string_view name);
// "department/key", for messages.
std::string KeyPath(absl::string_view department, absl::string_view key);
// Turns a uniqueness failure on insert into ALREADY_EXISTS naming `what`; other statuses pass.
absl::Status InsertStatus(const absl::Status& status, absl::string_view what);

// The kSelect* strings end in "FROM <table> "; append a constant WHERE / ORDER BY clause (values
// are bound, never spliced in) and read each row with the matching *FromRow.
extern const absl::string_view kSelectDepartment;
extern const absl::string_view kSelectKey;
extern const absl::string_view kSelectKeyVersion;
extern const absl::string_view kSelectPrincipal;
extern const absl::string_view kSelectCertificate;
extern const absl::string_view kSelectGrant;
extern const absl::string_view kSelectDestruction;
extern const absl::string_view kSelectRootRotation;
extern const absl::string_view kSelectAuditEntry;
extern const absl::string_view kSelectAuditCheckpoint;
DepartmentRecord DepartmentFromRow(const Statement& row);
KeyRecord KeyFromRow(const Statement& row);
KeyVersionRecord KeyVersionFromRow(const Statement& row);
PrincipalRecord PrincipalFromRow(const Statement& row);
CertificateRecord CertificateFromRow(const Statement& row);
GrantRecord GrantFromRow(const Statement& row);
DestructionRecord DestructionFromRow(const Statement& row);
RootRotationRecord RootRotationFromRow(const Statement& row);
AuditEntryRecord AuditEntryFromRow(const Statement& row);
AuditCheckpointRecord AuditCheckpointFromRow(const Statement& row);

// Prepares `select` + `rest`.
absl::StatusOr<Statement> PrepareSelect(sqlite3* db, absl::string_view select,
                                        absl::string_view rest);
// The same, kept in `cache` for reuse (for SQL whose text does not vary with the request).
absl::StatusOr<Statement> PrepareSelect(StatementCache& cache, absl::string_view select,
                                        absl::string_view rest);

// Steps a bound select to the end, reading every row with `from_row`.
template <typename Record>
absl::StatusOr<std::vector<Record>> ReadAll(Statement& select,
                                            Record (*from_row)(const Statement&)) {
  std::vector<Record> records;
  for (;;) {
    absl::StatusOr<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return records;
    records.push_back(from_row(select));
  }
}

// A key's policy columns. CheckKeyPolicy: INVALID_ARGUMENT for a data level or sharing class
// the schema does not know, or a list item CheckList refuses. BindKeyPolicy binds data_level,
// sharing_class, allowed_operations, shared_operations and allowed_purposes to parameters
// first .. first + 4.
absl::Status CheckKeyPolicy(const KeyRecord& key);
absl::Status BindKeyPolicy(Statement& statement, int first, const KeyRecord& key);

// Lookups for use inside a caller's transaction.
// NOT_FOUND unless the department exists.
absl::Status CheckDepartmentExists(sqlite3* db, absl::string_view name);
// NOT_FOUND if the key does not exist.
absl::StatusOr<KeyRecord> ReadKey(sqlite3* db, absl::string_view department,
                                  absl::string_view name);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_ROWS_H_
