// report::lint: each standard of a study-aid result is checked, and each can fail.
#include "nnlab/report/lint.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nnlab/experiment/claims.hpp"

namespace nnlab::report {
namespace {

using experiment::Result;

// A result that meets every standard.
Result good() {
  Result r;
  r.answer = "Yes (a).";
  r.parts = {{"a", "Is $\\mathbb{E}[R] = p$?", "Yes: the mean is 0.5012 at $p = 0.5$.", "$$E = p$$"}};
  r.notation = {{"p", "keep probability", ""}};
  r.claims.push_back(experiment::within_se("$\\mathbb{E}[R] = p$", "mean of $R$", {0.5012, 0.001}, 0.5, 4));
  r.claims.back().part = "a";
  r.figures.push_back({"f", "Mean vs $p$", "p", "mean", true, false, {}, "The mean rises with p, by 0.5 per unit.", "a"});
  r.tables.push_back({"t", "Means", {"p"}, {{0.5}}, "", "a", true});
  return r;
}

bool reports(const Result& r, const std::string& text) {
  for (const auto& problem : lint(r))
    if (problem.find(text) != std::string::npos) return true;
  return false;
}

TEST(Lint, AcceptsAResultThatMeetsTheStandards) { EXPECT_TRUE(lint(good()).empty()) << lint(good())[0]; }

TEST(Lint, EachStandardCanFail) {
  Result r = good();
  r.parts.clear();
  EXPECT_TRUE(reports(r, "declares no sheet sub-questions"));
  r = good(), r.notation.clear();
  EXPECT_TRUE(reports(r, "no notation box"));
  r = good(), r.claims[0].part = "";
  EXPECT_TRUE(reports(r, "claim 1 ('$\\mathbb{E}[R] = p$') does not name the sub-question"));
  r = good(), r.claims[0].part = "z";
  EXPECT_TRUE(reports(r, "names part 'z', which the result does not declare"));
  r = good(), r.claims[0].quantity = "";
  EXPECT_TRUE(reports(r, "does not name its quantity"));
  r = good(), r.figures[0].part = "";
  EXPECT_TRUE(reports(r, "figure 'f' does not name the sub-question"));
  r = good(), r.figures.push_back(r.figures[0]);
  EXPECT_TRUE(reports(r, "figure 'f' id is used twice"));
  r = good(), r.figures[0].x_label = "";
  EXPECT_TRUE(reports(r, "unlabelled axis"));
  r = good(), r.parts.push_back({"b", "Q?", "An answer.", ""});
  EXPECT_TRUE(reports(r, "part 'b' has no evidence"));
  r = good(), r.parts[0].answer = "The variance falls with m.";
  EXPECT_TRUE(reports(r, "states 'falls' without the number behind it"));
  r = good(), r.figures[0].caption = "Bias stays about where it is.";
  EXPECT_TRUE(reports(r, "without the number behind it"));
  r = good(), r.parts[0].derivation = "$$\\frac{1}{2$$";
  EXPECT_TRUE(reports(r, "part 'a' derivation: math: missing '}'"));
}

TEST(Lint, ANumberOrAReferenceBacksADirection) {
  Result r = good();
  r.parts[0].answer = "The variance falls from 1.5 to 1.02.";
  EXPECT_TRUE(lint(r).empty());
  r.parts[0].answer = "The variance falls with m (claim 4).";
  EXPECT_TRUE(lint(r).empty());
  r.answer = "It is larger (b).";
  EXPECT_TRUE(lint(r).empty());
}

}  // namespace
}  // namespace nnlab::report
