// Progress of a long job on stderr. On a terminal: one line redrawn in place,
//   label [██████████░░░░░░░░░░]  52%  0:12 elapsed  ETA 0:11  text
// where ETA = elapsed · (1 − f) / f. Elsewhere (pipes, CI logs): plain lines, a start line,
// at most one line every few seconds, and an end line. Safe to call from several threads.
#pragma once
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace nnlab::cli {

class Progress {
 public:
  Progress(std::string label, bool tty);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // True when stderr is a terminal: the usual value for `tty`.
  static bool stderr_is_tty();

  // fraction in [0, 1] of the job done; text says what is being done.
  void update(double fraction, std::string_view text = {});
  // Ends the line (terminal) or prints "label: done in 12.3 s: text".
  void finish(std::string_view text = {});

 private:
  using Clock = std::chrono::steady_clock;
  void draw(double fraction, std::string_view text);  // terminal, lock held

  std::string label_;
  bool tty_;
  std::mutex mutex_;
  Clock::time_point start_ = Clock::now(), last_ = {};
  bool started_ = false, drawn_ = false, finished_ = false;
};

}  // namespace nnlab::cli
