// Every lab gives the same claims, tables and figures on 1 and on 2 threads, to the bit: each
// trial has its own hashed stream and every reduction a fixed order (experiment/executor.hpp).
// Items marked wall_clock (measured times) are left out. That every claim passes on the quick
// setting is tested at seeds 1..10 in mutants_test.cpp.
#include <gtest/gtest.h>

#include <cstring>

#include "labs/run_lab.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

class Threads : public ::testing::TestWithParam<std::string> {};

TEST_P(Threads, ResultsAreBitIdenticalOnOneAndTwoThreads) {
  const Result a = testing::run_quick(GetParam(), 3, 1), b = testing::run_quick(GetParam(), 3, 2);
  ASSERT_EQ(a.claims.size(), b.claims.size());
  for (std::size_t k = 0; k < a.claims.size(); ++k) {
    if (a.claims[k].wall_clock) continue;
    EXPECT_EQ(a.claims[k].value, b.claims[k].value) << a.claims[k].statement;
    EXPECT_EQ(a.claims[k].detail(), b.claims[k].detail());
  }
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (std::size_t k = 0; k < a.tables.size(); ++k)
    if (!a.tables[k].wall_clock) {
      EXPECT_EQ(a.tables[k].rows, b.tables[k].rows) << a.tables[k].id;
    }
  ASSERT_EQ(a.figures.size(), b.figures.size());
  for (std::size_t k = 0; k < a.figures.size(); ++k) {
    const Figure &f = a.figures[k], &g = b.figures[k];
    if (f.wall_clock) continue;
    ASSERT_EQ(f.lines.size(), g.lines.size()) << f.id;
    for (std::size_t l = 0; l < f.lines.size(); ++l) {
      EXPECT_EQ(f.lines[l].x, g.lines[l].x) << f.id << " / " << f.lines[l].name;
      EXPECT_EQ(f.lines[l].y, g.lines[l].y) << f.id << " / " << f.lines[l].name;
      EXPECT_EQ(f.lines[l].err, g.lines[l].err) << f.id << " / " << f.lines[l].name;
    }
    ASSERT_EQ(f.field.has_value(), g.field.has_value()) << f.id;
    // NaN cells (blank) compare unequal to themselves: compare the bits.
    if (f.field) {
      EXPECT_EQ(0, std::memcmp(f.field->z.data(), g.field->z.data(), f.field->z.size() * sizeof(double)))
          << f.id;
    }
  }
}

std::vector<std::string> lab_ids() {
  std::vector<std::string> ids;
  for (const Lab* lab : testing::product_labs()) ids.push_back(lab->id());
  return ids;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryLab, Threads, ::testing::ValuesIn(lab_ids()), test_name);

}  // namespace
}  // namespace nnlab::labs
