// The page built from every product lab's quick result: unique figure and table numbers and
// anchors, contents per sub-question, marked log axes, one file with no network.
#include "nnlab/report/html.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "labs/run_lab.hpp"
#include "nnlab/report/plot.hpp"

namespace nnlab::report {
namespace {

std::vector<RunRecord> quick_records() {
  std::vector<RunRecord> records;
  for (const labs::Lab* lab : labs::testing::product_labs()) {
    RunRecord r;
    r.lab = lab->id();
    r.sheet = lab->sheet();
    r.question = lab->question();
    r.result = labs::testing::run_quick(lab->id(), 1, 2);
    records.push_back(std::move(r));
  }
  return records;
}

std::multiset<std::string> matches(const std::string& text, const std::regex& pattern) {
  std::multiset<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it)
    found.insert((*it)[1].str());
  return found;
}

// One test, so that every lab runs once (the quick records take ~15 s of CPU).
TEST(Html, NumbersAnchorsContentsAndLogAxes) {
  const auto records = quick_records();
  ASSERT_GE(records.size(), 2u);
  const std::string html = render_html(records, "/nonexistent/results", "/nonexistent/report");

  // Every figure and table label appears once as its own heading, and every id once.
  const auto figures = matches(html, std::regex(R"(<strong>([^<>]+ Fig\. [0-9]+)\.</strong>)"));
  const auto tables = matches(html, std::regex(R"(<strong>([^<>]+ Table [0-9]+)\.</strong>)"));
  std::size_t expected_figures = 0, expected_tables = 0;
  for (const auto& r : records) expected_figures += r.result.figures.size(), expected_tables += r.result.tables.size();
  EXPECT_EQ(figures.size(), expected_figures);
  EXPECT_EQ(tables.size(), expected_tables);
  for (const auto& label : figures) EXPECT_EQ(figures.count(label), 1u) << label;
  for (const auto& label : tables) EXPECT_EQ(tables.count(label), 1u) << label;
  const auto ids = matches(html, std::regex(R"re( id="([^"]+)")re"));
  for (const auto& id : ids) EXPECT_EQ(ids.count(id), 1u) << "duplicate anchor " << id;

  // Contents: one entry per sub-question, linking to an anchor that exists; every claim links
  // to the part it checks.
  for (const auto& r : records)
    for (const auto& part : r.result.parts) {
      const std::string anchor = "lab-" + r.lab + "-part-" + part.id;
      EXPECT_TRUE(ids.contains(anchor)) << anchor;
      EXPECT_NE(html.find("<li><a href=\"#" + anchor + "\">"), std::string::npos) << anchor;
    }
  for (const auto& link : matches(html, std::regex(R"re(href="#([^"]+)")re")))
    EXPECT_TRUE(ids.contains(link)) << "link to a missing anchor #" << link;

  // One self-contained file: no scripts, nothing fetched.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_NE(html.find("<math"), std::string::npos);

  // Every log axis says so in its label.
  std::size_t log_axes = 0;
  for (const auto& r : records)
    for (const auto& f : r.result.figures) {
      const std::string script = gnuplot_script(f, "/tmp/x.svg");
      if (f.log_x) {
        ++log_axes;
        EXPECT_NE(script.find(f.x_label + " (log scale)"), std::string::npos) << f.id;
      }
      if (f.log_y) {
        ++log_axes;
        EXPECT_NE(script.find(f.y_label + " (log scale)"), std::string::npos) << f.id;
      }
    }
  EXPECT_GT(log_axes, 0u);
}

}  // namespace
}  // namespace nnlab::report
