// How KeyManagementService's keys look in table output: the key list, and one key with its
// policy, lifecycle settings and versions. (JSON output prints the Key messages as they are.)
#ifndef YINJIAN_CLI_KEY_OUTPUT_H_
#define YINJIAN_CLI_KEY_OUTPUT_H_

#include <string>

#include "absl/status/status.h"
#include "cli/output.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "yinjian/v1/keys.pb.h"

namespace yinjian::cli {

// NAME KIND PROTECTION PRIMARY LEVEL SHARING ROTATION CREATED DESCRIPTION, one row per key;
// ROTATION is the rotation period ("90d", "-" for none).
Table KeyTable(const google::protobuf::RepeatedPtrField<v1::Key>& keys);

// MIN DECRYPT VERSION, ROTATION PERIOD, NEXT ROTATION: one row, "-" for what is not set.
Table KeyLifecycleTable(const v1::Key& key);

// VERSION STATE CREATED NOTE, one row per version; NOTE says "primary", and "below minimum
// decrypt version" for an enabled version that no longer decrypts or verifies (both, separated by
// "; ", if the primary is below the minimum).
Table KeyVersionsTable(const v1::Key& key);

// The key's row, then its policy, its lifecycle settings and its versions, blank lines between.
std::string KeyDetail(const v1::Key& key);

// Prints `key` as KeyDetail (kTable) or as its JSON (kJson).
absl::Status PrintKey(OutputFormat format, const v1::Key& key);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_OUTPUT_H_
