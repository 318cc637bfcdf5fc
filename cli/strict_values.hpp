// Strict option values on the command line. An empty value ('') is refused: `--arch ''` or
// `--out ''` would otherwise quietly mean "the default" or "nothing". Numbers: CLI11 converts with strtoull/strtoll/strtold, which
// read "-1" as 2^64 - 1 for an unsigned option, clamp "99999999999999999999" to the type's
// maximum, take "0x10" as 16 and "010" as octal 8, and accept "nan" and "inf": each a silently
// different number from the one the user wrote. Only plain decimals are accepted here.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

namespace nnlab::cli {

// "" if `text` is a decimal integer (optional sign, digits) within the signed or unsigned 64-bit
// range, rewritten without leading zeros or '+'; otherwise what is wrong with it.
std::string check_decimal_integer(std::string& text, bool is_unsigned);

// "" if `text` is a finite decimal floating-point number (digits, optional fraction and exponent;
// no hex, inf or nan) that a double holds without overflow; otherwise what is wrong with it.
std::string check_decimal_real(const std::string& text);

// Puts these checks in front of every option that takes a value, in `app` and all its
// subcommands, so no option can be added without them.
void require_strict_values(CLI::App& app);

}  // namespace nnlab::cli
