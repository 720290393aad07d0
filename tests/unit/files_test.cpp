// The downloader's rules: what a client may ask for, what a client may save under,
// and the header that says how many raw bytes follow.
#include <gtest/gtest.h>

#include "../../shared/cli.h"
#include "../../shared/files.h"
#include "../../shared/messages.h"

namespace {

using files::Request;

TEST(Files, RequestsAreCommandsInAnyCase) {
    EXPECT_EQ(files::parse_request("/get photo.jpg").kind, Request::get);
    EXPECT_EQ(files::parse_request("/get photo.jpg").name, "photo.jpg");
    EXPECT_EQ(files::parse_request("  /GET   trip/照片 1.jpg  ").name, "trip/照片 1.jpg");
    EXPECT_EQ(files::parse_request("/get").kind, Request::get);
    EXPECT_EQ(files::parse_request("/get").name, "");
    EXPECT_EQ(files::parse_request("/Files").kind, Request::list);
    EXPECT_EQ(files::parse_request(" /files ").kind, Request::list);
}

TEST(Files, OtherTextIsNoRequest) {
    EXPECT_EQ(files::parse_request("/getaway").kind, Request::none);
    EXPECT_EQ(files::parse_request("/files please").kind, Request::none);
    EXPECT_EQ(files::parse_request("get photo.jpg").kind, Request::none);
    EXPECT_EQ(files::parse_request("photo.jpg").kind, Request::none);
    EXPECT_EQ(files::parse_request("").kind, Request::none);
}

TEST(Files, PlainNamesAndSubfoldersMayBeAskedFor) {
    EXPECT_FALSE(files::refusal_of_requested_name("photo.jpg"));
    EXPECT_FALSE(files::refusal_of_requested_name("trip/2026/照片.jpg"));
    EXPECT_FALSE(files::refusal_of_requested_name("..hidden"));  // a name that begins with dots is a name
    EXPECT_FALSE(files::refusal_of_requested_name("a..b"));
}

TEST(Files, NamesThatCouldLeaveTheFolderAreRefusedWithTheReason) {
    EXPECT_EQ(files::refusal_of_requested_name("../secret"), msg::text(msg::name_parent));
    EXPECT_EQ(files::refusal_of_requested_name("trip/../trip/photo.jpg"), msg::text(msg::name_parent));
    EXPECT_EQ(files::refusal_of_requested_name(".."), msg::text(msg::name_parent));
    EXPECT_EQ(files::refusal_of_requested_name("trip/.."), msg::text(msg::name_parent));
    EXPECT_EQ(files::refusal_of_requested_name("/etc/passwd"), msg::text(msg::name_absolute));
    EXPECT_EQ(files::refusal_of_requested_name("C:/Windows/win.ini"), msg::text(msg::name_drive));
    EXPECT_EQ(files::refusal_of_requested_name("c:secret"), msg::text(msg::name_drive));
    EXPECT_EQ(files::refusal_of_requested_name("trip\\photo.jpg"), msg::text(msg::name_backslash));
    EXPECT_EQ(files::refusal_of_requested_name("..\\secret"), msg::text(msg::name_backslash));
    EXPECT_EQ(files::refusal_of_requested_name("trip//photo.jpg"), msg::text(msg::name_dot_part));
    EXPECT_EQ(files::refusal_of_requested_name("./photo.jpg"), msg::text(msg::name_dot_part));
    EXPECT_EQ(files::refusal_of_requested_name("trip/"), msg::text(msg::name_dot_part));
    EXPECT_EQ(files::refusal_of_requested_name(""), msg::text(msg::name_empty));
}

TEST(Files, ControlCharactersAreRefusedC0DelAndC1) {
    EXPECT_EQ(files::refusal_of_requested_name("a\x1b[2Jb"), msg::text(msg::name_control));
    EXPECT_EQ(files::refusal_of_requested_name("a\tb"), msg::text(msg::name_control));
    EXPECT_EQ(files::refusal_of_requested_name("a\x7f"), msg::text(msg::name_control));
    EXPECT_EQ(files::refusal_of_requested_name("a\xc2\x9b"), msg::text(msg::name_control));  // U+009B, CSI
    EXPECT_FALSE(files::refusal_of_requested_name("caf\xc3\xa9"));                          // é is no control
}

TEST(Files, AnAnnouncedNameMustBeAPlainName) {
    EXPECT_FALSE(files::refusal_of_announced_name("照片.jpg"));
    EXPECT_FALSE(files::refusal_of_announced_name(".bashrc"));
    EXPECT_EQ(files::refusal_of_announced_name("../x"), msg::text(msg::name_has_path));
    EXPECT_EQ(files::refusal_of_announced_name("a/b"), msg::text(msg::name_has_path));
    EXPECT_EQ(files::refusal_of_announced_name("a\\b"), msg::text(msg::name_has_path));
    EXPECT_EQ(files::refusal_of_announced_name("C:x"), msg::text(msg::name_has_path));
    EXPECT_FALSE(files::refusal_of_announced_name("ab:c.txt"));  // no drive: a name POSIX can have
    EXPECT_FALSE(files::refusal_of_announced_name(std::string(200, 'x')));
    EXPECT_EQ(files::refusal_of_announced_name(std::string(201, 'x')), msg::text(msg::name_too_long, {"200"}));
    EXPECT_EQ(files::refusal_of_announced_name(".."), msg::text(msg::name_not_a_file_name));
    EXPECT_EQ(files::refusal_of_announced_name("."), msg::text(msg::name_not_a_file_name));
    EXPECT_EQ(files::refusal_of_announced_name(""), msg::text(msg::name_not_a_file_name));
    EXPECT_EQ(files::refusal_of_announced_name("a\nb"), msg::text(msg::name_control));
}

TEST(Files, TheHeaderSaysTheSizeFirstAndReadsBack) {
    files::Header header{1048576, "照片 1.jpg"};
    EXPECT_EQ(files::header_text(header), "intercom file: 1048576 bytes: 照片 1.jpg");
    std::optional<files::Header> back = files::parse_header(files::header_text(header));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->size, 1048576u);
    EXPECT_EQ(back->name, "照片 1.jpg");
    EXPECT_EQ(files::parse_header("intercom file: 0 bytes: empty")->size, 0u);
    EXPECT_EQ(files::parse_header("intercom file: 18446744073709551615 bytes: huge")->size, 18446744073709551615u);
}

TEST(Files, AnythingElseIsNoHeader) {
    EXPECT_FALSE(files::parse_header("intercom file: lots bytes: x"));
    EXPECT_FALSE(files::parse_header("intercom file: 12 bytes x"));
    EXPECT_FALSE(files::parse_header("intercom file: -1 bytes: x"));
    EXPECT_FALSE(files::parse_header("intercom file: 007 bytes: x"));  // not as a header is written
    EXPECT_FALSE(files::parse_header("intercom file: 99999999999999999999 bytes: x"));  // past 2^64
    EXPECT_FALSE(files::parse_header("intercom: not sent: x: no such file"));
    EXPECT_FALSE(files::parse_header("天王盖地虎"));
}

TEST(Files, ATakenNameGetsANumberBeforeItsLastDot) {
    EXPECT_EQ(files::numbered_name("photo.jpg", 0), "photo.jpg");
    EXPECT_EQ(files::numbered_name("photo.jpg", 1), "photo (1).jpg");
    EXPECT_EQ(files::numbered_name("archive.tar.gz", 2), "archive.tar (2).gz");
    EXPECT_EQ(files::numbered_name("README", 1), "README (1)");
    EXPECT_EQ(files::numbered_name(".bashrc", 1), ".bashrc (1)");
}

TEST(Files, BaseNameIsTheLastPart) {
    EXPECT_EQ(files::base_name("trip/2026/照片.jpg"), "照片.jpg");
    EXPECT_EQ(files::base_name("photo.jpg"), "photo.jpg");
}

TEST(Files, SizesForAPerson) {
    EXPECT_EQ(files::size_text(0), "0 bytes");
    EXPECT_EQ(files::size_text(1), "1 byte");
    EXPECT_EQ(files::size_text(1023), "1023 bytes");
    EXPECT_EQ(files::size_text(1536), "1.5 KiB");
    EXPECT_EQ(files::size_text(std::uint64_t{1} << 30), "1.0 GiB");
}

TEST(Files, MaxFileSizesTakeBinarySuffixes) {
    EXPECT_EQ(cli::parse_size("--max-file", "0"), 0u);
    EXPECT_EQ(cli::parse_size("--max-file", "1000"), 1000u);
    EXPECT_EQ(cli::parse_size("--max-file", "4k"), 4096u);
    EXPECT_EQ(cli::parse_size("--max-file", "16G"), std::uint64_t{16} << 30);
    EXPECT_EQ(cli::parse_size("--max-file", "2T"), std::uint64_t{2} << 40);
    for (const char* bad : {"", "G", "1.5G", "-1", "12X", "1 G", "99999999999999999999", "9999999999T"})
        EXPECT_THROW(cli::parse_size("--max-file", bad), cli::UsageError) << bad;
}

}  // namespace
