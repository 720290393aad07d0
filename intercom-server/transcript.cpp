// The transcript file.
#include "transcript.h"

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "../shared/messages.h"
#include "../shared/net.h"
#include "../shared/process.h"
#include "../shared/terminal.h"

Transcript::Transcript(const std::string& path, Report report)
    : path_(path), file_(process::open_for_append(path)), report_(std::move(report)) {
    if (!file_)
        throw std::runtime_error(msg::text(msg::open_log, {path}) + ": " +
                                 net::error_text(std::error_code(errno, std::generic_category())));
}

Transcript::~Transcript() { std::fclose(file_); }

void Transcript::record(const std::string& conversation, Direction direction, const std::string& text) {
    std::string line = iso8601_utc(std::chrono::system_clock::now()) + " " + conversation +
                       (direction == Direction::in ? " in " : direction == Direction::out ? " out " : " file ") +
                       terminal::escape_for_record(text) + "\n";
    errno = 0;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
        failed(errno != 0 ? errno : EIO);
}

// Said once: a full disk would otherwise say it again for every message.
void Transcript::failed(int error) {
    if (reported_.exchange(true)) return;
    std::string why = net::error_text(std::error_code(error, std::generic_category()));
    report_("intercom-server: " + msg::text(msg::write_log, {path_, why}));
}

std::string iso8601_utc(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    long long ms = duration_cast<milliseconds>(when.time_since_epoch()).count();
    long long days = ms / 86400000, in_day = ms % 86400000;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm): portable, and
    // free of gmtime's shared buffer.
    long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yoe + era * 400 + (month <= 2);
    char text[96];  // room for any long long, though a date needs 24
    std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", year, month, day,
                  in_day / 3600000, in_day / 60000 % 60, in_day / 1000 % 60, in_day % 1000);
    return text;
}
