// json_integer: a JSON number as an integer of a given type, exactly or not at all.
#include "nnlab/core/json_number.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace nnlab {
namespace {

using json = nlohmann::json;

TEST(JsonInteger, TakesIntegersAndIntegralFloatsWithinTheType) {
  EXPECT_EQ(json_integer<int>(json(-7)), -7);
  EXPECT_EQ(json_integer<int>(json(1e3)), 1000);
  EXPECT_EQ(json_integer<int>(json(2147483647)), 2147483647);
  EXPECT_EQ(json_integer<int>(json(-2147483648.0)), -2147483647 - 1);
  EXPECT_EQ(json_integer<std::uint64_t>(json(18446744073709551615ull)), 18446744073709551615ull);
  EXPECT_EQ(json_integer<std::int64_t>(json(-9.223372036854775808e18)), INT64_MIN);
}

TEST(JsonInteger, RefusesFractionsOutOfRangeAndOtherTypes) {
  EXPECT_FALSE(json_integer<int>(json(2.5)));
  EXPECT_FALSE(json_integer<int>(json(2147483648)));
  EXPECT_FALSE(json_integer<int>(json(2147483648.0)));
  EXPECT_FALSE(json_integer<int>(json(4e9)));
  EXPECT_FALSE(json_integer<int>(json(1e300)));
  EXPECT_FALSE(json_integer<std::uint64_t>(json(-1)));
  EXPECT_FALSE(json_integer<std::uint64_t>(json(1.8446744073709551616e19)));  // 2^64
  EXPECT_FALSE(json_integer<std::int64_t>(json(9.223372036854775808e18)));    // 2^63
  EXPECT_FALSE(json_integer<int>(json("3")));
  EXPECT_FALSE(json_integer<int>(json(nullptr)));
  EXPECT_FALSE(json_integer<int>(json(true)));
}

}  // namespace
}  // namespace nnlab
