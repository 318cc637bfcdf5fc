// Terminal bar or rate-limited plain lines; see progress.hpp.
#include "progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nnlab::cli {
namespace {

constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr auto line_every = std::chrono::seconds(5);

std::string clock_text(double seconds) {
  const auto s = long(std::lround(seconds));
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

int terminal_columns() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 80;
}

// The first `columns` code points of UTF-8 text (a code point is one column here).
std::string_view clip(std::string_view text, int columns) {
  int seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == columns)
      return text.substr(0, i);
  return text;
}

}  // namespace

Progress::Progress(std::string label, bool tty) : label_(std::move(label)), tty_(tty) {}

Progress::~Progress() {
  // Leave a clean line for whatever is printed next (e.g. an error message).
  if (tty_ && drawn_ && !finished_) std::fputs("\r\x1b[K", stderr);
}

bool Progress::stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

void Progress::update(double fraction, std::string_view text) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  const auto now = Clock::now();
  if (tty_) {
    if (drawn_ && now - last_ < redraw_every) return;
    last_ = now;
    draw(fraction, text);
    return;
  }
  if (!started_) {
    started_ = true;
    last_ = now;
    std::fprintf(stderr, "%s: started\n", label_.c_str());
    return;
  }
  if (now - last_ < line_every) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = fmt::format("{}: {:3.0f}% after {}", label_, 100 * fraction,
                                 clock_text(elapsed));
  if (fraction > 0.01) line += fmt::format(", about {} left", clock_text(elapsed * (1 - fraction) / fraction));
  if (!text.empty()) line += fmt::format(": {}", text);
  std::fprintf(stderr, "%s\n", line.c_str());
}

void Progress::draw(double fraction, std::string_view text) {
  constexpr int bar_width = 20;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const int filled = int(fraction * bar_width);
  std::string bar;
  for (int i = 0; i < bar_width; ++i) bar += i < filled ? "█" : "░";
  const std::string eta =
      fraction > 0.01 ? clock_text(elapsed * (1 - fraction) / fraction) : std::string("--:--");
  std::string line = fmt::format("{} [{}] {:3.0f}%  {} elapsed  ETA {}", label_, bar,
                                 100 * fraction, clock_text(elapsed), eta);
  const int used = int(label_.size()) + bar_width + 32 + int(eta.size());
  const int room = terminal_columns() - 1 - used;
  if (!text.empty() && room > 3) line += fmt::format("  {}", clip(text, room - 2));
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  std::string line = fmt::format("{}: done in {:.1f} s", label_, elapsed);
  if (!text.empty()) line += fmt::format(": {}", text);
  std::fprintf(stderr, "%s%s\n", tty_ ? "\r\x1b[K" : "", line.c_str());
}

}  // namespace nnlab::cli
