// Figures with a Field (a colour map under the lines): the gnuplot script, an SVG drawn by
// gnuplot with a colour bar and contours, the field's CSV, the JSON round trip and the lint.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nnlab/core/error.hpp"
#include "nnlab/report/csv.hpp"
#include "nnlab/report/lint.hpp"
#include "nnlab/report/plot.hpp"
#include "nnlab/report/result_json.hpp"

namespace nnlab::report {
namespace {

// Himmelblau's function on a 41 × 31 grid with a trajectory on top.
experiment::Figure landscape() {
  experiment::Field f;
  for (int i = 0; i <= 40; ++i) f.x.push_back(-5 + 0.25 * i);
  for (int j = 0; j <= 30; ++j) f.y.push_back(-5 + j / 3.0);
  for (double y : f.y)
    for (double x : f.x) f.z.push_back(std::pow(x * x + y - 11, 2) + std::pow(x + y * y - 7, 2));
  f.z[5] = NAN;  // left blank
  f.z_label = "f(x, y)";
  f.log_z = true;
  f.contours = {1, 10, 100};
  experiment::Figure fig{.id = "himmelblau", .title = "Himmelblau", .x_label = "x", .y_label = "y"};
  fig.lines.push_back({"GD", {0, 1, 2.5, 3}, {0, 1, 1.8, 2}, {}, "linespoints"});
  fig.caption = "Four minima.";
  fig.part = "a";
  fig.field = std::move(f);
  return fig;
}

TEST(Field, ScriptDrawsTheMapTheContoursAndTheLines) {
  const std::string s = gnuplot_script(landscape(), "out.svg");
  EXPECT_NE(s.find("$field << EOD"), std::string::npos);
  EXPECT_NE(s.find("with image"), std::string::npos);
  EXPECT_NE(s.find("set cntrparam levels discrete 1,10,100"), std::string::npos);
  EXPECT_NE(s.find("set logscale cb"), std::string::npos);
  EXPECT_NE(s.find("set cblabel \"f(x, y)\""), std::string::npos);
  EXPECT_NE(s.find("$d0 using 1:2 with linespoints"), std::string::npos);
  // Half a cell beyond the outer grid points.
  EXPECT_NE(s.find("set xrange [-5.125:5.125]"), std::string::npos) << s.substr(0, 400);
}

TEST(Field, GnuplotDrawsItWithAColourBar) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
  const auto svg = render_svg(landscape());
  ASSERT_TRUE(svg.has_value());
  EXPECT_NE(svg->find("f(x, y)"), std::string::npos);  // the colour bar's label
  experiment::Figure gray = landscape();
  gray.field->palette = "gray", gray.field->log_z = false, gray.field->contours.clear();
  EXPECT_TRUE(render_svg(gray).has_value());
  experiment::Figure basins = landscape();
  basins.field->palette = "categories", basins.field->log_z = false;
  for (double& z : basins.field->z) z = std::isnan(z) ? z : std::fmod(std::floor(z), 4);
  EXPECT_TRUE(render_svg(basins).has_value());
}

TEST(Field, BadFieldsAreRefusedByName) {
  experiment::Figure f = landscape();
  f.field->z.pop_back();
  EXPECT_THROW(gnuplot_script(f, "out.svg"), Error);
  f = landscape(), f.log_x = true;
  EXPECT_THROW(gnuplot_script(f, "out.svg"), Error);
  f = landscape(), f.field->palette = "rainbow";
  EXPECT_THROW(gnuplot_script(f, "out.svg"), Error);
}

TEST(Field, CsvAndJsonKeepIt) {
  const experiment::Figure fig = landscape();
  const std::string csv = field_csv(*fig.field);
  EXPECT_EQ(csv.substr(0, 6), "x,y,z\n");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 41 * 31);
  EXPECT_NE(csv.find("-3.75,-5,nan\n"), std::string::npos);
  experiment::Result r;
  r.figures.push_back(fig);
  r.figures[0].y_range = std::pair{-2.0, 3.5};
  const experiment::Result back = result_from_json(to_json(r));
  ASSERT_TRUE(back.figures[0].y_range.has_value());
  EXPECT_EQ(*back.figures[0].y_range, std::pair(-2.0, 3.5));
  EXPECT_NE(gnuplot_script(r.figures[0], "out.svg").find("set yrange [-2:3.5]"), std::string::npos);
  ASSERT_TRUE(back.figures[0].field.has_value());
  const experiment::Field& g = *back.figures[0].field;
  EXPECT_EQ(g.x, fig.field->x);
  EXPECT_EQ(g.y, fig.field->y);
  EXPECT_EQ(g.z.size(), fig.field->z.size());
  EXPECT_TRUE(std::isnan(g.z[5]));
  EXPECT_EQ(g.z[6], fig.field->z[6]);
  EXPECT_EQ(g.z_label, "f(x, y)");
  EXPECT_TRUE(g.log_z);
  EXPECT_EQ(g.contours, fig.field->contours);
  EXPECT_FALSE(back.figures[0].lines.empty());
}

TEST(Field, LintAsksForAColourBarLabelAndAConsistentGrid) {
  experiment::Result r;
  r.figures.push_back(landscape());
  r.figures[0].field->z_label.clear();
  r.figures[0].field->z.pop_back();
  bool label = false, grid = false;
  for (const auto& problem : lint(r)) {
    label |= problem.find("without a colour bar label") != std::string::npos;
    grid |= problem.find("1270 values on a 41 × 31 grid") != std::string::npos;
  }
  EXPECT_TRUE(label);
  EXPECT_TRUE(grid);
}

}  // namespace
}  // namespace nnlab::report
