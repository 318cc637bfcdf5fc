// Schedules: values at chosen steps from their formulas, parsing, and rejected specs.
#include "nnlab/optim/schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {
namespace {

TEST(Schedule, ConstantStepCosineValues) {
  const Schedule c = Schedule::constant(0.1);
  EXPECT_EQ(c(0), 0.1);
  EXPECT_EQ(c(123456), 0.1);

  const Schedule s = Schedule::step(0.1, 30, 0.1);
  EXPECT_DOUBLE_EQ(s(0), 0.1);
  EXPECT_DOUBLE_EQ(s(29), 0.1);
  EXPECT_DOUBLE_EQ(s(30), 0.01);
  EXPECT_DOUBLE_EQ(s(59), 0.01);
  EXPECT_DOUBLE_EQ(s(60), 0.001);

  const Schedule cos = Schedule::cosine(1.0, 0.1, 100);
  EXPECT_DOUBLE_EQ(cos(0), 1.0);
  EXPECT_DOUBLE_EQ(cos(50), 0.55);  // midpoint: (η₀ + η_min)/2
  EXPECT_DOUBLE_EQ(cos(25), 0.1 + 0.45 * (1 + std::cos(std::numbers::pi / 4)));
  EXPECT_DOUBLE_EQ(cos(100), 0.1);
  EXPECT_DOUBLE_EQ(cos(1000), 0.1);
  for (int t = 1; t <= 100; ++t) EXPECT_LE(cos(t), cos(t - 1));
  EXPECT_THROW(cos(-1), Error);
}

TEST(Schedule, ParsesSpecsInEpochs) {
  EXPECT_EQ(Schedule::parse("constant", 0.05)(1000), 0.05);
  const Schedule s = Schedule::parse("step:30:0.1", 0.05, 0, 10);  // every 30 epochs of 10 steps
  EXPECT_DOUBLE_EQ(s(299), 0.05);
  EXPECT_DOUBLE_EQ(s(300), 0.005);
  EXPECT_EQ(s.describe(), "step:300:0.1");
  const Schedule c = Schedule::parse("cosine", 0.05, 200);
  EXPECT_DOUBLE_EQ(c(100), 0.025);
  EXPECT_EQ(c(200), 0.0);
  const Schedule c2 = Schedule::parse("cosine:20:0.01", 0.05, 0, 5);
  EXPECT_DOUBLE_EQ(c2(50), 0.03);
  EXPECT_EQ(c2(100), 0.01);
  EXPECT_DOUBLE_EQ(Schedule::parse(c2.describe(), 0.05)(50), c2(50));
}

TEST(Schedule, RejectsBadSpecsNamingThem) {
  for (const char* spec : {"", "cosin", "step", "step:30", "step:x:0.1", "step:30:0.1:2",
                           "step:0:0.1", "step:30:1.5", "step:30:-1", "constant:1", "cosine",
                           "cosine:0", "cosine:10:2", "cosine:10:0.01x"}) {
    try {
      Schedule::parse(spec, 1.0);
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + spec + "'"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(Schedule::constant(0.0), Error);
  EXPECT_THROW(Schedule::constant(std::nan("")), Error);
  EXPECT_THROW(Schedule::parse("constant", -1.0), Error);
}

}  // namespace
}  // namespace nnlab::optim
