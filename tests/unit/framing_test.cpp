// framing: bytes -> messages, whatever way the bytes are cut into recv() chunks.
#include "../../shared/framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "allocations.h"

namespace {

using framing::Frame;
using framing::LineFramer;
using Messages = std::vector<std::string>;

const std::string too_long_marker = "<too long>";

std::string shown(const Frame& frame) {
    return frame.kind == Frame::too_long ? too_long_marker : frame.bytes;
}

// What a channel does: feed each chunk and take every complete message, then at the
// end of the stream take the partial one.
Messages frame_chunks(const std::vector<std::string>& chunks, std::size_t max_line = 8192) {
    LineFramer framer(max_line);
    Messages out;
    for (const std::string& chunk : chunks) {
        framer.feed(chunk);
        while (auto frame = framer.next()) out.push_back(shown(*frame));
    }
    while (auto frame = framer.flush_partial()) out.push_back(shown(*frame));
    return out;
}

// The same, but every chunk is fed before any message is taken.
Messages frame_fed_at_once(const std::vector<std::string>& chunks) {
    LineFramer framer;
    for (const std::string& chunk : chunks) framer.feed(chunk);
    Messages out;
    while (auto frame = framer.next()) out.push_back(shown(*frame));
    while (auto frame = framer.flush_partial()) out.push_back(shown(*frame));
    return out;
}

TEST(Framing, LfCrlfAndLoneCrEachEndAMessage) {
    EXPECT_EQ(frame_chunks({"one\ntwo\r\nthree\rfour\n"}), (Messages{"one", "two", "three", "four"}));
}

TEST(Framing, LoneCrEndsAMessageWithoutWaitingForMore) {
    LineFramer framer;
    framer.feed("你好\r");
    auto frame = framer.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->kind, Frame::message);
    EXPECT_EQ(frame->bytes, "你好");
    EXPECT_FALSE(framer.has_partial());
}

TEST(Framing, CrAtTheEndOfOneChunkAndLfAtTheStartOfTheNextAreOneLineEnd) {
    EXPECT_EQ(frame_chunks({"hello\r", "\nworld\n"}), (Messages{"hello", "world"}));
    // Even when the message was taken before the LF arrived.
    LineFramer framer;
    framer.feed("hello\r");
    ASSERT_TRUE(framer.next());
    framer.feed("\n");
    EXPECT_FALSE(framer.next());
    EXPECT_FALSE(framer.has_partial());
    EXPECT_FALSE(framer.flush_partial());
}

TEST(Framing, AnEmptyChunkBetweenCrAndLfDoesNotSplitTheLineEnd) {
    EXPECT_EQ(frame_chunks({"a\r", "", "\nb\n"}), (Messages{"a", "b"}));
}

TEST(Framing, EmptyLinesAreEmptyMessages) {
    EXPECT_EQ(frame_chunks({"\n\n"}), (Messages{"", ""}));
    EXPECT_EQ(frame_chunks({"\r\n\r\n"}), (Messages{"", ""}));
    EXPECT_EQ(frame_chunks({"\r\r"}), (Messages{"", ""}));
    EXPECT_EQ(frame_chunks({"\n\r"}), (Messages{"", ""}));
    EXPECT_EQ(frame_chunks({"a\n\nb\n"}), (Messages{"a", "", "b"}));
}

struct SplitCase {
    std::string input;
    Messages expected;
};

const std::vector<SplitCase> split_cases = {
    {"你好\r\nbye\rhello\n\n天王盖地虎\r\r\n宝塔镇河妖", {"你好", "bye", "hello", "", "天王盖地虎", "", "宝塔镇河妖"}},
    {"\r\n\r\r\n\n", {"", "", "", ""}},
    {"a\rb\r\nc\n\rd", {"a", "b", "c", "", "d"}},
    {"天王盖地虎\r", {"天王盖地虎"}},
};

TEST(Framing, EverySplitIntoTwoChunksGivesTheSameMessages) {
    for (const SplitCase& c : split_cases) {
        ASSERT_EQ(frame_chunks({c.input}), c.expected) << "fed whole";
        for (std::size_t i = 0; i <= c.input.size(); ++i) {
            std::vector<std::string> chunks{c.input.substr(0, i), c.input.substr(i)};
            EXPECT_EQ(frame_chunks(chunks), c.expected) << "split at " << i;
            EXPECT_EQ(frame_fed_at_once(chunks), c.expected) << "split at " << i;
        }
    }
}

TEST(Framing, EverySplitIntoThreeChunksGivesTheSameMessages) {
    for (const SplitCase& c : split_cases) {
        for (std::size_t i = 0; i <= c.input.size(); ++i) {
            for (std::size_t j = i; j <= c.input.size(); ++j) {
                std::vector<std::string> chunks{c.input.substr(0, i), c.input.substr(i, j - i),
                                                c.input.substr(j)};
                EXPECT_EQ(frame_chunks(chunks), c.expected) << "split at " << i << ", " << j;
            }
        }
    }
}

TEST(Framing, ByteByByteGivesTheSameMessages) {
    for (const SplitCase& c : split_cases) {
        std::vector<std::string> bytes;
        for (char b : c.input) bytes.emplace_back(1, b);
        EXPECT_EQ(frame_chunks(bytes), c.expected);
    }
}

TEST(Framing, FlushPartialDeliversAMessageWithNoLineEnd) {
    // A lesson script's sendall("天王盖地虎".encode()): no line end, then a quiet gap.
    LineFramer framer;
    framer.feed("天王");
    framer.feed("盖地虎");
    EXPECT_FALSE(framer.next());
    EXPECT_TRUE(framer.has_partial());
    auto frame = framer.flush_partial();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->kind, Frame::message);
    EXPECT_EQ(frame->bytes, "天王盖地虎");
    EXPECT_FALSE(framer.has_partial());
    EXPECT_FALSE(framer.flush_partial());
    // The framer goes on as before.
    framer.feed("bye\n");
    auto next = framer.next();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->bytes, "bye");
}

TEST(Framing, FlushPartialGivesNothingWhenNothingIsPartial) {
    LineFramer fresh;
    EXPECT_FALSE(fresh.has_partial());
    EXPECT_FALSE(fresh.flush_partial());

    LineFramer drained;
    drained.feed("whole\n");
    ASSERT_TRUE(drained.next());
    EXPECT_FALSE(drained.has_partial());
    EXPECT_FALSE(drained.flush_partial());
}

TEST(Framing, FlushPartialGivesCompleteMessagesFirst) {
    LineFramer framer;
    framer.feed("first\nsecond");
    auto first = framer.flush_partial();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->bytes, "first");
    auto second = framer.flush_partial();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->bytes, "second");
    EXPECT_FALSE(framer.flush_partial());
}

TEST(Framing, ALineOfExactlyMaxLineBytesPasses) {
    const std::size_t max_line = 16;
    const std::string line(max_line, 'x');
    EXPECT_EQ(frame_chunks({line + "\n"}, max_line), (Messages{line}));
    EXPECT_EQ(frame_chunks({line + "\r\n"}, max_line), (Messages{line}));
    EXPECT_EQ(frame_chunks({line}, max_line), (Messages{line}));  // no line end: flushed
    EXPECT_EQ(frame_chunks({line.substr(0, 5), line.substr(5), "\n"}, max_line), (Messages{line}));
}

TEST(Framing, ALineOfMaxLinePlusOneBytesIsTooLong) {
    const std::size_t max_line = 16;
    const std::string line(max_line + 1, 'x');
    EXPECT_EQ(frame_chunks({line + "\n"}, max_line), (Messages{too_long_marker}));
    EXPECT_EQ(frame_chunks({line}, max_line), (Messages{too_long_marker}));  // no line end yet
    EXPECT_EQ(frame_chunks({line.substr(0, 5), line.substr(5), "\n"}, max_line),
              (Messages{too_long_marker}));
}

TEST(Framing, MessagesBeforeATooLongOneStillArrive) {
    const std::size_t max_line = 8;
    EXPECT_EQ(frame_chunks({"short\n" + std::string(100, 'y') + "\nlater\n"}, max_line),
              (Messages{"short", too_long_marker}));
}

TEST(Framing, AfterTooLongNothingMoreAndMemoryDoesNotGrow) {
    LineFramer framer(64);
    framer.feed(std::string(65, 'x'));
    auto frame = framer.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->kind, Frame::too_long);

    const std::string chunk = std::string(64 * 1024 - 10, 'y') + "\nfine\r\n";
    std::size_t before = bytes_allocated_so_far();
    for (int i = 0; i < 160; ++i) {  // 10 MB
        framer.feed(chunk);
        EXPECT_FALSE(framer.next());
    }
    EXPECT_FALSE(framer.has_partial());
    EXPECT_FALSE(framer.flush_partial());
    EXPECT_LT(bytes_allocated_so_far() - before, 4096u) << "the framer kept what it was fed";
}

TEST(Framing, ALongStreamWithNoLineEndIsCutOffAtTheLimit) {
    // A peer sending endless bytes with no line end: the framer says too_long as soon
    // as the limit is passed instead of buffering the whole stream.
    LineFramer framer(8192);
    const std::string chunk(4096, 'z');
    int fed = 0;
    std::optional<Frame> frame;
    while (!frame && fed < 2560) {  // at most 10 MB
        framer.feed(chunk);
        ++fed;
        frame = framer.next();
    }
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->kind, Frame::too_long);
    EXPECT_EQ(fed, 3);
}

TEST(Framing, FrameMessageAddsLfUnlessRaw) {
    EXPECT_EQ(framing::frame_message("你好", false), "你好\n");
    EXPECT_EQ(framing::frame_message("你好", true), "你好");
    EXPECT_EQ(framing::frame_message("", false), "\n");
    EXPECT_EQ(framing::frame_message("", true), "");
    EXPECT_EQ(framing::frame_message(std::string("a\0b", 3), false), std::string("a\0b\n", 4));
}

TEST(Framing, FramedMessagesComeBackWhole) {
    const Messages sent{"天王盖地虎", "", "宝塔镇河妖", "bye"};
    std::string wire;
    for (const std::string& m : sent) wire += framing::frame_message(m, false);
    EXPECT_EQ(frame_chunks({wire}), sent);
}

}  // namespace

TEST(Framing, ALineEndArrivingAfterTheQuietGapEndsTheFlushedMessageNotANewOne) {
    for (std::string late : {"\n", "\r\n", "\r"}) {
        framing::LineFramer framer;
        framer.feed("hello");
        std::optional<framing::Frame> flushed = framer.flush_partial();
        ASSERT_TRUE(flushed);
        EXPECT_EQ(flushed->bytes, "hello");
        framer.feed(late);
        framer.feed("next\n");
        std::optional<framing::Frame> frame = framer.next();
        ASSERT_TRUE(frame);
        EXPECT_EQ(frame->bytes, "next") << "late line end: " << (late == "\n" ? "LF" : late == "\r" ? "CR" : "CRLF");
        EXPECT_FALSE(framer.next());
    }
}

TEST(Framing, OnlyOneLateLineEndIsSkippedAfterAFlush) {
    framing::LineFramer framer;
    framer.feed("hello");
    framer.flush_partial();
    framer.feed("\n\n");
    std::optional<framing::Frame> frame = framer.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->bytes, "");  // a second line end is an empty message of its own
}

// A header says how many raw bytes follow: what came with it is taken as bytes, line
// ends and all, and the messages after them are framed as before.
TEST(Framing, RawBytesAfterAHeaderAreTakenAsTheyAre) {
    framing::LineFramer framer;
    framer.feed("intercom file: 5 bytes: x\na\nb\r");
    ASSERT_EQ(framer.next()->bytes, "intercom file: 5 bytes: x");
    EXPECT_EQ(framer.take_raw(3), "a\nb");
    EXPECT_EQ(framer.take_raw(100), "\r");
    EXPECT_EQ(framer.buffered(), 0u);
    framer.feed(std::string("\x00\xff", 2));
    EXPECT_EQ(framer.take_raw(2), std::string("\x00\xff", 2));
    framer.feed("hi\n");
    EXPECT_EQ(framer.next()->bytes, "hi");
}

TEST(FindLineEnd, TheFirstCrOrLfFromWhereItIsAsked) {
    using framing::find_line_end;
    EXPECT_EQ(find_line_end("hello\n"), 5u);
    EXPECT_EQ(find_line_end("hello\r\n"), 5u);  // the CR of a CRLF comes first
    EXPECT_EQ(find_line_end("a\nb\rc"), 1u);
    EXPECT_EQ(find_line_end("a\rb\nc"), 1u);
    EXPECT_EQ(find_line_end("a\nb\rc", 2), 3u);
    EXPECT_EQ(find_line_end("no end"), std::string_view::npos);
    EXPECT_EQ(find_line_end(""), std::string_view::npos);
    EXPECT_EQ(find_line_end("ab\n", 3), std::string_view::npos);  // from the end: none
    EXPECT_EQ(find_line_end("ab\n", 9), std::string_view::npos);  // past the end: none
    std::string long_line(10000, 'x');
    EXPECT_EQ(find_line_end(long_line + "\r" + long_line + "\n"), 10000u);
}
