// codec: the allowlist, UTF-8 checking, and the Converter around a backend
// (codec_backend.h: iconv, or the Win32 functions where there is no iconv).
#include "codec.h"

#include "messages.h"

#include "codec_backend.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace codec {

const char* const allowed_encodings_text = "UTF-8, GBK (CP936), GB18030, Big5";

namespace {

const std::string utf8 = "UTF-8";
const std::string replacement_character = "\xEF\xBF\xBD";  // U+FFFD

std::string upper(std::string_view name) {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool in(unsigned char c, unsigned char low, unsigned char high) { return c >= low && c <= high; }

}  // namespace

std::optional<std::string> allowed_encoding(std::string_view name) {
    std::string n = upper(name);
    if (n == "UTF-8" || n == "UTF8") return utf8;
    if (n == "GBK" || n == "CP936" || n == "GB2312") return std::string("GBK");
    if (n == "GB18030") return std::string("GB18030");
    if (n == "BIG5" || n == "BIG-5" || n == "CP950") return std::string("BIG5");
    return std::nullopt;
}

UnknownEncoding::UnknownEncoding(std::string_view name)
    : std::invalid_argument(msg::text(msg::unknown_encoding, {name, allowed_encodings_text})) {}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

Utf8Step utf8_step(std::string_view s) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char lead = b(0);
    if (lead < 0x80) return {Utf8Step::valid, 1, lead};
    std::size_t length;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (in(lead, 0xC2, 0xDF)) length = 2;
    else if (in(lead, 0xE0, 0xEF)) length = 3, low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
    else if (in(lead, 0xF0, 0xF4)) length = 4, low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
    else return {Utf8Step::invalid, 1, 0};  // 80..C1 and F5..FF never start a character
    char32_t cp = lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
        if (i == s.size()) return {Utf8Step::incomplete, i, 0};
        if (!in(b(i), i == 1 ? low : 0x80, i == 1 ? high : 0xBF))
            return {Utf8Step::invalid, i, 0};  // skip the valid-looking prefix only
        cp = (cp << 6) | (b(i) & 0x3F);
    }
    return {Utf8Step::valid, length, cp};
}

bool is_valid_utf8(std::string_view bytes) {
    while (!bytes.empty()) {
        if (static_cast<unsigned char>(bytes.front()) < 0x80) {  // ASCII, most of any text
            bytes.remove_prefix(1);
            continue;
        }
        Utf8Step step = utf8_step(bytes);
        if (step.kind != Utf8Step::valid) return false;
        bytes.remove_prefix(step.length);
    }
    return true;
}

std::string valid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    while (!bytes.empty()) {
        Utf8Step step = utf8_step(bytes);
        if (step.kind == Utf8Step::valid) out.append(bytes.substr(0, step.length));
        else out += replacement_character;
        bytes.remove_prefix(step.length);
    }
    return out;
}

bool is_valid_in(std::string_view bytes, const std::string& encoding) {
    std::optional<std::string> name = allowed_encoding(encoding);
    if (!name) throw UnknownEncoding(encoding);
    if (*name == utf8) return is_valid_utf8(bytes);  // never the backend: see Converter::Impl
    std::unique_ptr<Backend> decoder = Backend::open(*name, utf8);
    if (!decoder) return false;
    std::string ignored;
    Backend::Result r = decoder->convert(bytes, ignored);
    return r.stop == Backend::done && r.consumed == bytes.size();
}

std::optional<std::string> better_encoding(std::string_view bytes, const std::string& wire_encoding) {
    if (is_valid_in(bytes, wire_encoding)) return std::nullopt;
    std::string wire = *allowed_encoding(wire_encoding);
    for (const char* candidate : {"UTF-8", "GBK", "GB18030"})
        if (candidate != wire && is_valid_in(bytes, candidate)) return std::string(candidate);
    return std::nullopt;
}

// The conversion state. UTF-8 input is checked by utf8_step, never by the backend:
// glibc's UTF-8 -> UTF-8 passes bytes above U+10FFFF straight through.
struct Converter::Impl {
    std::unique_ptr<Backend> backend;  // none when both sides are UTF-8
    bool from_utf8 = false;
    std::string replacement;  // U+FFFD in the target, or "?" where it has none
    std::string pending;      // an incomplete character waiting for its other bytes

    // Converts one valid UTF-8 character (or, decoding, one run) with the backend.
    std::size_t backend_some(std::string_view in, std::string& out, bool& invalid, bool& incomplete);
    std::string convert(std::string_view bytes, bool at_end);
};

std::size_t Converter::Impl::backend_some(std::string_view input, std::string& out,
                                          bool& invalid, bool& incomplete) {
    Backend::Result r = backend->convert(input, out);
    invalid = r.stop == Backend::invalid;
    incomplete = r.stop == Backend::incomplete;
    return r.consumed;
}

std::string Converter::Impl::convert(std::string_view bytes, bool at_end) {
    std::string input = std::move(pending) + std::string(bytes);
    pending.clear();
    std::string_view rest = input;
    std::string out;
    while (!rest.empty()) {
        std::size_t skip = 1;  // bytes to replace when the input is bad
        if (from_utf8) {
            Utf8Step step = utf8_step(rest);
            if (step.kind == Utf8Step::incomplete && !at_end) break;
            if (step.kind == Utf8Step::valid) {
                std::size_t run = step.length;  // convert runs of valid characters at once
                for (Utf8Step next; run < rest.size(); run += next.length) {
                    next = utf8_step(rest.substr(run));
                    if (next.kind != Utf8Step::valid) break;
                }
                if (!backend) {
                    out.append(rest.substr(0, run));
                    rest.remove_prefix(run);
                    continue;
                }
                bool invalid, incomplete;
                rest.remove_prefix(backend_some(rest.substr(0, run), out, invalid, incomplete));
                if (rest.empty() || !invalid) continue;
                step = utf8_step(rest);  // a character the target cannot hold
            }
            skip = step.length;
        } else {
            bool invalid, incomplete;
            rest.remove_prefix(backend_some(rest, out, invalid, incomplete));
            if (rest.empty()) break;
            if (incomplete && !at_end) break;
        }
        out += replacement;
        rest.remove_prefix(std::min(skip, rest.size()));
    }
    pending = std::string(rest);
    return out;
}

Converter::Converter(std::string_view from, std::string_view to) : impl_(std::make_unique<Impl>()) {
    std::optional<std::string> source = allowed_encoding(from), target = allowed_encoding(to);
    if (!source) throw UnknownEncoding(from);
    if (!target) throw UnknownEncoding(to);
    impl_->from_utf8 = *source == utf8;
    impl_->replacement = replacement_character;
    if (*source == utf8 && *target == utf8) return;
    impl_->backend = Backend::open(*source, *target);
    if (!impl_->backend) throw UnknownEncoding(*source + " to " + *target);
    if (*target != utf8) {
        // What stands for a bad character: U+FFFD if the target has it (GB18030 does),
        // else '?' (GBK and Big5 do not).
        std::string converted;
        bool invalid, incomplete;
        impl_->backend_some(replacement_character, converted, invalid, incomplete);
        impl_->backend->reset();
        impl_->replacement = invalid || converted.empty() ? "?" : converted;
    }
}

Converter::~Converter() = default;
Converter::Converter(Converter&&) noexcept = default;
Converter& Converter::operator=(Converter&&) noexcept = default;

std::string Converter::convert(std::string_view bytes) { return impl_->convert(bytes, false); }

std::string Converter::finish() {
    std::string out = impl_->convert({}, true);
    if (impl_->backend) impl_->backend->reset();
    return out;
}

std::string Converter::convert_all(std::string_view bytes) {
    std::string out;
    convert_all_into(bytes, out);
    return out;
}

void Converter::convert_all_into(std::string_view bytes, std::string& out) {
    // The common case, UTF-8 to UTF-8 and already valid: one pass, one copy.
    if (!impl_->backend && impl_->pending.empty() && is_valid_utf8(bytes)) {
        out.append(bytes);
        return;
    }
    out += convert(bytes);
    out += finish();
}

}  // namespace codec
