#include "service/server/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::server {
namespace {

v1::ServerConfig Valid() {
  v1::ServerConfig config;
  config.mutable_tls()->set_server_certificate_file("s.pem");
  config.mutable_tls()->set_server_key_file("s.key");
  config.mutable_tls()->set_client_ca_file("ca.pem");
  config.mutable_hsm()->set_token_label("t");
  config.mutable_hsm()->set_pin_file("pin");
  config.mutable_store()->set_sqlite_path("db");
  ApplyDefaults(config);
  return config;
}

TEST(ServerConfigTest, DefaultsAreFilled) {
  v1::ServerConfig config = Valid();
  EXPECT_EQ(config.listen_address(), "127.0.0.1:7443");
  EXPECT_EQ(config.limits().max_payload_bytes(), 1 << 20);
  EXPECT_EQ(config.limits().max_batch_items(), 1000);
  EXPECT_EQ(config.hsm().max_sessions(), 16);
  EXPECT_EQ(config.lifecycle().destruction_waiting_seconds(), 30 * 86400);
  EXPECT_EQ(config.lifecycle().destruction_check_seconds(), 60);
  YJ_EXPECT_OK(ValidateServerConfig(config));
}

// R11: the waiting period before destruction is at least a day, unless a test says otherwise.
TEST(ServerConfigTest, DestructionWaitingPeriodIsAtLeastADayOutsideTests) {
  v1::ServerConfig config = Valid();
  config.mutable_lifecycle()->set_destruction_waiting_seconds(86400);
  YJ_EXPECT_OK(ValidateServerConfig(config));
  config.mutable_lifecycle()->set_destruction_waiting_seconds(86399);
  absl::Status status = ValidateServerConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("lifecycle.destruction_waiting_seconds"),
            absl::string_view::npos)
      << status;
  config.mutable_lifecycle()->set_allow_short_destruction_wait_for_tests(true);
  YJ_EXPECT_OK(ValidateServerConfig(config));
  config.mutable_lifecycle()->set_destruction_waiting_seconds(-1);
  EXPECT_EQ(ValidateServerConfig(config).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ServerConfigTest, EveryRequiredFieldIsNamed) {
  struct Case {
    void (*mutate)(v1::ServerConfig&);
    const char* field;
  };
  const Case cases[] = {
      {[](v1::ServerConfig& c) { c.mutable_hsm()->clear_token_label(); }, "hsm.token_label"},
      {[](v1::ServerConfig& c) { c.mutable_hsm()->set_pin_env("X"); }, "PIN source"},
      {[](v1::ServerConfig& c) { c.mutable_hsm()->clear_pin_file(); }, "PIN source"},
      {[](v1::ServerConfig& c) { c.mutable_store()->clear_sqlite_path(); }, "store.sqlite_path"},
      {[](v1::ServerConfig& c) { c.mutable_tls()->clear_client_ca_file(); }, "client_ca_file"},
      {[](v1::ServerConfig& c) { c.mutable_tls()->clear_server_key_file(); }, "server_key_file"},
      {[](v1::ServerConfig& c) { c.mutable_limits()->set_max_payload_bytes(8 << 20); }, "limits"},
  };
  for (const Case& c : cases) {
    v1::ServerConfig config = Valid();
    c.mutate(config);
    absl::Status status = ValidateServerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(status.message().find(c.field), absl::string_view::npos) << status;
  }
}

TEST(ServerConfigTest, PlaintextOnlyOnLoopback) {
  v1::ServerConfig config = Valid();
  config.clear_tls();
  config.set_insecure_plaintext_for_development(true);
  for (const char* address : {"127.0.0.1:7443", "localhost:1", "[::1]:7443"}) {
    config.set_listen_address(address);
    YJ_EXPECT_OK(ValidateServerConfig(config));
  }
  for (const char* address : {"0.0.0.0:7443", "10.0.0.1:7443", "example.org:7443", "[::]:7443"}) {
    config.set_listen_address(address);
    EXPECT_EQ(ValidateServerConfig(config).code(), absl::StatusCode::kInvalidArgument) << address;
  }
}

TEST(ServerConfigTest, LoadsTextAndJsonAndReportsErrorsWithTheFile) {
  YJ_ASSERT_OK_AND_ASSIGN(testing::TempDir dir, testing::TempDir::Create());
  const std::string text = dir.File("server.conf");
  std::ofstream(text) << "hsm { token_label: \"t\" pin_file: \"p\" }\n"
                         "store { sqlite_path: \"db\" }\n"
                         "tls { server_certificate_file: \"a\" server_key_file: \"b\" "
                         "client_ca_file: \"c\" }\n";
  YJ_ASSERT_OK_AND_ASSIGN(v1::ServerConfig from_text, LoadServerConfig(text));
  EXPECT_EQ(from_text.hsm().token_label(), "t");
  const std::string json = dir.File("server.json");
  std::ofstream(json) << R"({"hsm": {"tokenLabel": "j", "pinEnv": "PIN"},
                             "store": {"sqlitePath": "db"}, "insecurePlaintextForDevelopment": true})";
  YJ_ASSERT_OK_AND_ASSIGN(v1::ServerConfig from_json, LoadServerConfig(json));
  EXPECT_EQ(from_json.hsm().token_label(), "j");
  const std::string bad = dir.File("bad.conf");
  std::ofstream(bad) << "hsm { no_such_field: 1 }\n";
  absl::StatusOr<v1::ServerConfig> error = LoadServerConfig(bad);
  EXPECT_EQ(error.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(error.status().message().find("bad.conf"), absl::string_view::npos);
  EXPECT_NE(error.status().message().find("line 1"), absl::string_view::npos) << error.status();
  EXPECT_EQ(LoadServerConfig(dir.File("missing.conf")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace yinjian::server
