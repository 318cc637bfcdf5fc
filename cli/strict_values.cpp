// Strict values for every option that takes one (see strict_values.hpp).
#include "strict_values.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace nnlab::cli {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the run of digits at text[i...].
std::size_t digits_at(const std::string& text, std::size_t i) {
  std::size_t n = 0;
  while (i + n < text.size() && is_digit(text[i + n])) ++n;
  return n;
}

}  // namespace

std::string check_decimal_integer(std::string& text, bool is_unsigned) {
  const std::size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  if (sign == text.size() || digits_at(text, sign) != text.size() - sign)
    return fmt::format("'{}' is not a decimal integer", text);
  if (is_unsigned && text[0] == '-' && text.find_first_not_of("0", 1) != std::string::npos)
    return fmt::format("'{}' is negative; expected an integer in 0..{}", text,
                       std::numeric_limits<std::uint64_t>::max());
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  std::errc ec{};
  std::string canonical;
  if (is_unsigned) {
    std::uint64_t value = 0;
    ec = std::from_chars(first + (text[0] == '-' ? 1 : 0), last, value).ec;  // "-0" is 0
    canonical = std::to_string(value);
  } else {
    std::int64_t value = 0;
    ec = std::from_chars(first, last, value).ec;
    canonical = std::to_string(value);
  }
  if (ec == std::errc::result_out_of_range)
    return is_unsigned ? fmt::format("'{}' is out of range (at most {})", text,
                                     std::numeric_limits<std::uint64_t>::max())
                       : fmt::format("'{}' is out of range ({}..{})", text,
                                     std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max());
  text = canonical;  // CLI11 parses with base 0: "010" would be octal 8
  return "";
}

std::string check_decimal_real(const std::string& text) {
  std::size_t i = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  const std::size_t mantissa = i;
  i += digits_at(text, i);
  std::size_t digits = i - mantissa;
  if (i < text.size() && text[i] == '.') {
    const std::size_t fraction = digits_at(text, i + 1);
    digits += fraction;
    i += 1 + fraction;
  }
  bool ok = digits > 0;
  if (ok && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    i += 1 + (i + 1 < text.size() && (text[i + 1] == '+' || text[i + 1] == '-') ? 1 : 0);
    const std::size_t exponent = digits_at(text, i);
    ok = exponent > 0;
    i += exponent;
  }
  if (!ok || i != text.size()) return fmt::format("'{}' is not a decimal number", text);
  // Overflow to ±inf is refused; underflow to 0 or a subnormal is a faithful rounding.
  if (!std::isfinite(std::strtod(text.c_str(), nullptr)))
    return fmt::format("'{}' is out of the range of double", text);
  return "";
}

void require_strict_values(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_min() == 0) continue;  // a flag: no value to parse
    // "INT", or "INT:INT in [0 - 4096]" once a check has added its description.
    const std::string full = option->get_type_name(), type = full.substr(0, full.find(':'));
    const bool integer = type == "INT" || type == "UINT", real = type == "FLOAT";
    option->transform(CLI::Validator(
        [integer, real, is_unsigned = type == "UINT"](std::string& text) -> std::string {
          if (text.empty()) return "an empty value is not allowed";
          if (integer) return check_decimal_integer(text, is_unsigned);
          if (real) return check_decimal_real(text);
          return "";
        },
        "", "strict value"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) require_strict_values(*sub);
}

}  // namespace nnlab::cli
