// Errors: misuse and bad input throw nnlab::Error with the offending values in the message.
// The library never prints and never exits; the CLI turns an Error into one line and exit code 1.
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace nnlab {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training produced NaN/Inf; the caller keeps what was computed before.
class NumericalError : public Error {
 public:
  using Error::Error;
};

// A file or folder could not be read or written (core/file.hpp): the operating system's refusal,
// not bad content. The Python module raises it as OSError.
class FileError : public Error {
 public:
  using Error::Error;
};

template <class... Args>
[[noreturn]] void fail_file(fmt::format_string<Args...> format, Args&&... args) {
  throw FileError(fmt::format(format, std::forward<Args>(args)...));
}

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <class... Args>
void require(bool condition, fmt::format_string<Args...> format, Args&&... args) {
  if (!condition) throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace nnlab
