// The two-slot checkpoint file on a real file system: the exact bytes it writes, which slot a
// write takes, which checkpoint a reader chooses, the compare and swap, and the single-note
// files of earlier versions. The notes here are stand-ins ("ok <size>" is accepted); the audit
// log's tests use real signed checkpoints.
#include "service/audit/checkpoint_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::audit {
namespace {

constexpr size_t kSlot = CheckpointFile::kSlotSize;

// Accepts "ok <size>" notes, as checkpoints of that size.
absl::StatusOr<Checkpoint> OpenOkNote(absl::string_view note) {
  Checkpoint checkpoint;
  if (!absl::ConsumePrefix(&note, "ok ") || !absl::SimpleAtoi(note, &checkpoint.size)) {
    return absl::InvalidArgumentError("not an ok note");
  }
  return checkpoint;
}

std::string Note(uint64_t size) { return absl::StrCat("ok ", size); }

// A file image: two slots, each a note padded with NUL bytes.
std::string Image(absl::string_view first, absl::string_view second) {
  std::string image(2 * kSlot, '\0');
  image.replace(0, first.size(), first.data(), first.size());
  image.replace(kSlot, second.size(), second.data(), second.size());
  return image;
}

class CheckpointFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(yinjian::testing::TempDir dir, yinjian::testing::TempDir::Create());
    dir_ = std::make_unique<yinjian::testing::TempDir>(std::move(dir));
  }

  std::string Path() const { return dir_->File("store.checkpoint"); }

  absl::StatusOr<std::unique_ptr<CheckpointFile>> Open() {
    return CheckpointFile::Open(Path(), OpenOkNote);
  }

  std::string Bytes() const {
    std::ifstream in(Path(), std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  void Put(const std::string& bytes) const {
    std::ofstream(Path(), std::ios::binary | std::ios::trunc) << bytes;
  }

  std::unique_ptr<yinjian::testing::TempDir> dir_;
};

TEST_F(CheckpointFileTest, AMissingFileHoldsNoCheckpointAndTheFirstWriteTakesSlotOne) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  EXPECT_EQ(file->newest(), "");
  EXPECT_FALSE(std::filesystem::exists(Path()));
  YJ_ASSERT_OK(file->Write(Note(1)));
  EXPECT_EQ(Bytes(), Image(Note(1), ""));
}

TEST_F(CheckpointFileTest, WritesAlternateBetweenTheSlots) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  YJ_ASSERT_OK(file->Write(Note(1)));
  YJ_ASSERT_OK(file->Write(Note(2)));
  EXPECT_EQ(Bytes(), Image(Note(1), Note(2)));
  YJ_ASSERT_OK(file->Write(Note(3)));
  EXPECT_EQ(Bytes(), Image(Note(3), Note(2)));
  // A shorter note leaves nothing of the longer one it replaces.
  YJ_ASSERT_OK(file->Write(Note(4000)));
  YJ_ASSERT_OK(file->Write(Note(5)));
  EXPECT_EQ(Bytes(), Image(Note(5), Note(4000)));
}

TEST_F(CheckpointFileTest, AReaderTakesTheLargerCheckpointWhicheverSlotHoldsIt) {
  for (const auto& [image, newest] :
       {std::pair{Image(Note(7), Note(8)), Note(8)}, std::pair{Image(Note(9), Note(8)), Note(9)},
        std::pair{Image(Note(3), ""), Note(3)}, std::pair{Image("", Note(3)), Note(3)}}) {
    Put(image);
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
    EXPECT_EQ(file->newest(), newest);
    EXPECT_EQ(file->refused_slot(), "");
    // The next write goes over the other slot, keeping the newest.
    YJ_ASSERT_OK(file->Write(Note(100)));
    YJ_ASSERT_OK_AND_ASSIGN(file, Open());
    EXPECT_EQ(file->newest(), Note(100));
    const std::string bytes = Bytes();
    EXPECT_TRUE(absl::StrContains(bytes, newest)) << "the previous newest was overwritten";
  }
}

TEST_F(CheckpointFileTest, ARefusedSlotBesideAnAcceptedOneIsReportedAndWrittenOverNext) {
  // A write to slot 1 cut short, or an edit: slot 1 holds no checkpoint of the log.
  Put(Image("ok 1garbage", Note(2)));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  EXPECT_EQ(file->newest(), Note(2));
  EXPECT_TRUE(absl::StrContains(file->refused_slot(), "slot 1")) << file->refused_slot();
  EXPECT_TRUE(absl::StrContains(file->refused_slot(), "not an ok note")) << file->refused_slot();
  YJ_ASSERT_OK(file->Write(Note(3)));
  EXPECT_EQ(Bytes(), Image(Note(3), Note(2)));
}

TEST_F(CheckpointFileTest, AFileWithNoAcceptedCheckpointIsRefused) {
  for (const std::string& image : {Image("junk", "more junk"), Image("junk", ""),
                                   std::string("a single note that is not ok")}) {
    Put(image);
    absl::StatusOr<std::unique_ptr<CheckpointFile>> file = Open();
    EXPECT_EQ(file.status().code(), absl::StatusCode::kFailedPrecondition) << file.status();
    EXPECT_TRUE(absl::StrContains(file.status().message(), "not an ok note")) << file.status();
  }
}

TEST_F(CheckpointFileTest, ASingleNoteFromAnEarlierVersionIsReadAndReplacedByTwoSlots) {
  Put(Note(41));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  EXPECT_EQ(file->newest(), Note(41));
  YJ_ASSERT_OK(file->Write(Note(42)));
  EXPECT_EQ(Bytes(), Image(Note(42), ""));
  YJ_ASSERT_OK(file->Write(Note(43)));
  EXPECT_EQ(Bytes(), Image(Note(42), Note(43)));
}

TEST_F(CheckpointFileTest, BytesChangedInPlaceStopEveryWrite) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  YJ_ASSERT_OK(file->Write(Note(1)));
  YJ_ASSERT_OK(file->Write(Note(2)));
  const std::string foreign = Image(Note(1), Note(900));
  Put(foreign);
  for (int i = 0; i < 2; ++i) {
    const absl::Status status = file->Write(Note(3));
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "changed by someone else")) << status;
  }
  EXPECT_EQ(Bytes(), foreign);
}

TEST_F(CheckpointFileTest, AFileThatGrewStopsWrites) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  YJ_ASSERT_OK(file->Write(Note(1)));
  std::ofstream(Path(), std::ios::binary | std::ios::app) << "x";
  EXPECT_EQ(file->Write(Note(2)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(CheckpointFileTest, AnotherFileInItsPlaceStopsWritesEvenWithTheSameBytes) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  YJ_ASSERT_OK(file->Write(Note(1)));
  YJ_ASSERT_OK(file->Write(Note(2)));
  const std::string copy = dir_->File("copy");
  std::ofstream(copy, std::ios::binary) << Bytes();
  std::filesystem::rename(copy, Path());
  const absl::Status status = file->Write(Note(3));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "another file")) << status;
  EXPECT_EQ(Bytes(), Image(Note(1), Note(2)));

  std::filesystem::remove(Path());
  EXPECT_EQ(file->Write(Note(3)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(CheckpointFileTest, ASingleNoteChangedBeforeTheFirstWriteIsNotReplaced) {
  Put(Note(41));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  Put(Note(77));
  EXPECT_EQ(file->Write(Note(42)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Bytes(), Note(77));
}

TEST_F(CheckpointFileTest, NotesThatDoNotFitASlotAreRefused) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointFile> file, Open());
  EXPECT_EQ(file->Write(std::string(kSlot, 'a')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(file->Write(std::string("ok 1\0", 5)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(Path()));
  YJ_ASSERT_OK(file->Write(std::string(kSlot - 1, 'a')));
  EXPECT_EQ(Bytes().size(), 2 * kSlot);
}

}  // namespace
}  // namespace yinjian::audit
