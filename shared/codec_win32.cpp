// codec backend: the Win32 conversion functions, for Windows builds without libiconv.
//
// MultiByteToWideChar and WideCharToMultiByte convert whole strings and, on bad input,
// say only that it failed, not where. So this backend finds the character boundaries
// itself (each allowed encoding has a simple byte structure), converts runs of whole
// characters, and on a failure goes over the run one character at a time to find the
// one that cannot be converted.
#include "codec_backend.h"

#if !__has_include(<iconv.h>)  // else codec_iconv.cpp is the backend

#include "codec.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

namespace codec {

namespace {

UINT code_page(const std::string& name) {
    if (name == "UTF-8") return CP_UTF8;
    if (name == "GBK") return 936;
    if (name == "GB18030") return 54936;
    if (name == "BIG5") return 950;
    return 0;
}

bool in(unsigned char c, unsigned char low, unsigned char high) { return c >= low && c <= high; }

// Bytes in the character at the start of `s`: 1 to 4; 0 when the input ends inside
// it; -1 when it is malformed (skip one byte).
int char_length(UINT cp, std::string_view s) {
    if (cp == CP_UTF8) {
        Utf8Step step = utf8_step(s);
        if (step.kind == Utf8Step::incomplete) return 0;
        return step.kind == Utf8Step::valid ? static_cast<int>(step.length) : -1;
    }
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    if (b(0) < 0x80) return 1;
    if (cp == 936 && b(0) == 0x80) return 1;    // CP936's single-byte euro sign
    if (!in(b(0), 0x81, 0xFE)) return -1;
    if (s.size() < 2) return 0;
    if (cp == 950) return in(b(1), 0x40, 0x7E) || in(b(1), 0xA1, 0xFE) ? 2 : -1;
    if (cp == 54936 && in(b(1), 0x30, 0x39)) {  // GB18030's four-byte form
        if (s.size() >= 3 && !in(b(2), 0x81, 0xFE)) return -1;
        if (s.size() >= 4 && !in(b(3), 0x30, 0x39)) return -1;
        return s.size() < 4 ? 0 : 4;
    }
    return in(b(1), 0x40, 0x7E) || in(b(1), 0x80, 0xFE) ? 2 : -1;
}

}  // namespace

struct Backend::State {
    UINT from, to;
};

std::unique_ptr<Backend> Backend::open(const std::string& from, const std::string& to) {
    UINT from_cp = code_page(from), to_cp = code_page(to);
    if (!from_cp || !to_cp || !IsValidCodePage(from_cp) || !IsValidCodePage(to_cp)) return nullptr;
    return std::make_unique<Backend>(std::make_unique<State>(State{from_cp, to_cp}));
}

Backend::Backend(std::unique_ptr<State> state) : state_(std::move(state)) {}
Backend::~Backend() = default;

namespace {

// Whole characters, in code page `from`, to code page `to`; appended to `out` only if
// every one of them converts. Through UTF-16, as Windows converts.
bool transcode(UINT from, UINT to, std::string_view bytes, std::string& out) {
    const char* input = bytes.data();
    int input_length = static_cast<int>(bytes.size());
    const DWORD strict = MB_ERR_INVALID_CHARS;
    int wide_length = MultiByteToWideChar(from, strict, input, input_length, nullptr, 0);
    if (wide_length <= 0) return false;
    std::wstring wide(static_cast<std::size_t>(wide_length), L'\0');
    MultiByteToWideChar(from, strict, input, input_length, &wide[0], wide_length);
    // UTF-8 and GB18030 hold every character, and Windows refuses the "did it fit"
    // question for them; GBK and Big5 must say when a character fell back to '?'.
    bool holds_all = to == CP_UTF8 || to == 54936;
    DWORD flags = holds_all ? 0 : WC_NO_BEST_FIT_CHARS;
    BOOL fell_back = FALSE;
    BOOL* ask = holds_all ? nullptr : &fell_back;
    int length = WideCharToMultiByte(to, flags, wide.data(), wide_length, nullptr, 0, nullptr, ask);
    if (length <= 0 || fell_back) return false;
    std::size_t start = out.size();
    out.resize(start + static_cast<std::size_t>(length));
    WideCharToMultiByte(to, flags, wide.data(), wide_length, &out[start], length, nullptr, nullptr);
    return true;
}

}  // namespace

Backend::Result Backend::convert(std::string_view input, std::string& out) {
    const UINT from = state_->from, to = state_->to;
    // The run of whole, well-formed characters at the start, and what ends it.
    std::size_t run = 0;
    Stop stop = done;
    while (run < input.size()) {
        int n = char_length(from, input.substr(run));
        if (n <= 0) {
            stop = n == 0 ? incomplete : invalid;
            break;
        }
        run += static_cast<std::size_t>(n);
    }
    if (run == 0 || transcode(from, to, input.substr(0, run), out)) return {run, stop};
    // Something in the run has no mapping: convert up to it, one character at a time.
    std::size_t converted = 0;
    while (converted < run) {
        std::size_t n = static_cast<std::size_t>(char_length(from, input.substr(converted)));
        if (!transcode(from, to, input.substr(converted, n), out)) return {converted, invalid};
        converted += n;
    }
    return {converted, stop};
}

void Backend::reset() {}  // none of the allowed encodings has a shift state

}  // namespace codec

#endif
