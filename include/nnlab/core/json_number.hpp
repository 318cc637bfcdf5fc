// Numbers from JSON records (recipes, data sources) taken exactly: nlohmann's get<int>() casts a
// float such as 4e9 or 1e30 to int (undefined behaviour, found by fuzz/recipe_fuzz.cpp) and wraps
// −1 to 2^64 − 1 for an unsigned field, so a corrupt or hand-edited record silently became other
// numbers. Here an integer field takes a JSON integer, or a float with an integral value, within
// the type's range; anything else is nullopt, for the caller to name the field.
#pragma once
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace nnlab {

template <class T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
std::optional<T> json_integer(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (std::in_range<T>(u)) return T(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (std::in_range<T>(i)) return T(i);
  } else if (v.is_number_float()) {
    // [min, max + 1) in double is exact for every integer type up to 64 bits.
    const double d = v.get<double>();
    if (d == std::floor(d) && d >= double(std::numeric_limits<T>::min()) &&
        d < 2.0 * double(std::numeric_limits<T>::max() / 2 + 1))
      return T(d);
  }
  return std::nullopt;
}

}  // namespace nnlab
