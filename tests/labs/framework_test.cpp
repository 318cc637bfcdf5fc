// The lab framework and the report runner, exercised with two fake labs registered under
// test-only ids: parameter validation, claims, thread-count independence of trials, JSON
// round trips, --resume, corrupt results files and a lab that throws.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include <unistd.h>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/report/csv.hpp"
#include "nnlab/report/html.hpp"
#include "nnlab/report/plot.hpp"
#include "nnlab/report/result_json.hpp"
#include "nnlab/report/runner.hpp"

namespace nnlab {
namespace {

using labs::Claim;
using labs::Params;
using labs::ParamSpec;
using labs::ParamType;

std::atomic<int> fake_runs{0};

// Estimates E[U] = 1/2 for U ~ Uniform(0,1) by Monte Carlo; the claim holds with 4 standard
// errors of slack, so it fails with probability ~6e-5.
class FakeLab : public labs::Lab {
 public:
  std::string id() const override { return "test-fake"; }
  std::string sheet() const override { return "0.1"; }
  std::string question() const override { return "Is E[U] = 1/2 for <U> ~ Uniform(0,1) & co?"; }
  std::vector<ParamSpec> params() const override {
    return {{"trials", ParamType::integer, "Monte Carlo trials", "400", "100", 1, 1e6, {}, {}},
            {"keep", ParamType::real, "keep probability p", "0.5", "", 1e-9, 1, {}, {}},
            {"verbose", ParamType::boolean, "say more", "false", "", -1e300, 1e300, {}, {}},
            {"kind", ParamType::text, "which kind", "a", "", -1e300, 1e300, {"a", "b"}, {}},
            {"ps", ParamType::real_list, "keep probabilities", "0.1,0.5,1", "0.5", 0, 1, {}, {}}};
  }
  labs::Result run(const Params& params, const labs::Context& context) const override {
    ++fake_runs;
    const auto n = std::size_t(params.integer("trials"));
    const std::vector<double> u =
        context.trials<double>("u", n, [](std::size_t, Rng& rng) { return uniform01(rng); });
    double mean = 0, var = 0;
    for (double x : u) mean += x / double(n);
    for (double x : u) var += (x - mean) * (x - mean) / double(n - 1);
    const double se = std::sqrt(var / double(n));
    labs::Result r;
    r.answer = "Yes: the sample mean is within a few standard errors of 1/2.\n\nSecond <paragraph>.";
    r.claims.push_back(Claim::check("E[U] = 1/2", "q", "m", 0.5, mean - 4 * se, mean + 4 * se,
                                    "Monte Carlo mean ± 4 SE"));
    r.tables.push_back({"summary", "Summary", {"quantity", "value"},
                        {{std::string("mean"), mean}, {std::string("se"), se}}, "A table."});
    labs::Figure f{"running-mean", "Running mean", "trials", "mean", true, false, {}, "Converges."};
    labs::Line line{"mean, ±1 SE", {}, {}, {}, "linespoints"};
    double sum = 0;
    for (std::size_t t = 0; t < n; ++t) {
      sum += u[t];
      if ((t + 1) % 20 == 0) {
        line.x.push_back(double(t + 1));
        line.y.push_back(sum / double(t + 1));
        line.err.push_back(std::sqrt(var / double(t + 1)));
      }
    }
    f.lines.push_back(line);
    f.lines.push_back({"1/2", {1, double(n)}, {0.5, 0.5}, {}, "lines"});
    r.figures.push_back(f);
    return r;
  }
};

class ThrowingLab : public labs::Lab {
 public:
  std::string id() const override { return "test-throws"; }
  std::string sheet() const override { return "0.2"; }
  std::string question() const override { return "Does a failing lab spoil the report?"; }
  std::vector<ParamSpec> params() const override { return {}; }
  labs::Result run(const Params&, const labs::Context&) const override { fail("boom: {}", 42); }
};

NNLAB_REGISTER_LAB(FakeLab)
NNLAB_REGISTER_LAB(ThrowingLab)

// The Error message of `f`, or a test failure if it does not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return {};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const std::vector<ParamSpec>& specs() {
  static const auto s = FakeLab().params();
  return s;
}

// ---------------------------------------------------------------- parameters
TEST(Params, DefaultsQuickValuesAndSets) {
  const auto full = Params::resolve(specs(), false, {});
  EXPECT_EQ(full.integer("trials"), 400);
  EXPECT_EQ(full.real("keep"), 0.5);
  EXPECT_FALSE(full.boolean("verbose"));
  EXPECT_EQ(full.text("kind"), "a");
  EXPECT_EQ(full.real_list("ps"), (std::vector<double>{0.1, 0.5, 1}));
  const auto quick = Params::resolve(specs(), true, {});
  EXPECT_EQ(quick.integer("trials"), 100);
  EXPECT_EQ(quick.real_list("ps"), std::vector<double>{0.5});

  const auto set = Params::resolve(
      specs(), true, {{"trials", "+7"}, {"keep", "0.250"}, {"verbose", "YES"}, {"kind", "b"},
                      {"ps", " 0.2, 1e-1 "}, {"trials", "8"}});
  EXPECT_EQ(set.integer("trials"), 8);  // later sets win
  EXPECT_EQ(set.real("keep"), 0.25);
  EXPECT_TRUE(set.boolean("verbose"));
  EXPECT_EQ(set.real_list("ps"), (std::vector<double>{0.2, 0.1}));
  // Canonical text, in spec order, so equal values compare equal for --resume.
  const std::vector<std::pair<std::string, std::string>> items = {
      {"trials", "8"}, {"keep", "0.25"}, {"verbose", "true"}, {"kind", "b"}, {"ps", "0.2,0.1"}};
  EXPECT_EQ(set.items(), items);
  for (const char* no : {"no", "0", "false", "False"})
    EXPECT_FALSE(Params::resolve(specs(), false, {{"verbose", no}}).boolean("verbose")) << no;
}

TEST(Params, EachKindOfBadValueIsNamed) {
  const auto resolve = [](std::string name, std::string value) {
    return error_of([&] { Params::resolve(specs(), false, {{name, value}}, "test-fake"); });
  };
  EXPECT_EQ(resolve("tirals", "3"),
            "unknown parameter 'tirals' for lab 'test-fake'; valid: trials, keep, verbose, kind, ps");
  EXPECT_EQ(error_of([] { Params::resolve(specs(), false, {{"x", "1"}}); }),
            "unknown parameter 'x'; valid: trials, keep, verbose, kind, ps");
  for (const char* bad : {"abc", "1.5", "", "3x", "1e3"}) {
    const auto m = resolve("trials", bad);
    EXPECT_TRUE(contains(m, "parameter 'trials' for lab 'test-fake' expects an integer")) << m;
    EXPECT_TRUE(contains(m, std::string("got '") + bad + "'")) << m;
  }
  EXPECT_TRUE(contains(resolve("trials", "0"), "must be in [1, 1000000], got '0'"));
  EXPECT_TRUE(contains(resolve("keep", "nan"), "expects a finite real number"));
  EXPECT_TRUE(contains(resolve("keep", "0"), "must be in [1e-09, 1], got '0'"));
  EXPECT_TRUE(contains(resolve("keep", "1.0001"), "must be in"));
  EXPECT_TRUE(contains(resolve("verbose", "maybe"), "expects a boolean"));
  EXPECT_TRUE(contains(resolve("kind", "c"), "must be one of a, b, got 'c'"));
  EXPECT_TRUE(contains(resolve("ps", "0.1,,0.2"), "expects a comma-separated list"));
  EXPECT_TRUE(contains(resolve("ps", "0.1,2"), "must be in [0, 1], got '0.1,2'"));
}

// Non-finite numbers are refused in every numeric parameter, each spelling, lists included.
TEST(Params, NonFiniteNumbersAreRefused) {
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1e999"}) {
    const auto m = error_of([&] { Params::resolve(specs(), false, {{"keep", bad}}, "test-fake"); });
    EXPECT_TRUE(contains(m, std::string("parameter 'keep' for lab 'test-fake' expects a finite real number, got '") +
                                bad + "'")) << m;
    const auto l = error_of([&] { Params::resolve(specs(), false, {{"ps", std::string("0.1,") + bad}}); });
    EXPECT_TRUE(contains(l, "parameter 'ps' expects a comma-separated list of real numbers")) << l;
  }
  EXPECT_TRUE(contains(error_of([&] { Params::resolve(specs(), false, {{"trials", "nan"}}); }), "expects an integer"));
}

// A path parameter set away from its default must exist, and a folder must hold its files; a
// default that is not there is allowed and reported as unavailable.
TEST(Params, PathParametersAreCheckedWhenResolved) {
  const auto dir = std::filesystem::temp_directory_path() / ("nnlab_path_param_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::vector<ParamSpec> specs = {
      labs::path_spec("data_dir", "a folder with a.csv and b.csv", "/nonexistent/default", {"a.csv", "b.csv"}),
      labs::path_spec("any_path", "any file", dir.string())};
  const auto defaults = Params::resolve(specs, false, {}, "lab-x");
  EXPECT_FALSE(defaults.available("data_dir"));
  EXPECT_TRUE(defaults.available("any_path"));
  ASSERT_EQ(defaults.unavailable().size(), 1u);
  EXPECT_EQ(defaults.unavailable()[0].second, "'/nonexistent/default' does not exist");
  EXPECT_EQ(defaults.path("data_dir"), "/nonexistent/default");

  EXPECT_EQ(error_of([&] { Params::resolve(specs, false, {{"data_dir", "/nonexistent/typo"}}, "lab-x"); }),
            "parameter 'data_dir' for lab 'lab-x': '/nonexistent/typo' does not exist");
  write_file_atomic(dir / "a.csv", "1\n");
  EXPECT_EQ(error_of([&] { Params::resolve(specs, false, {{"data_dir", dir.string()}}, "lab-x"); }),
            "parameter 'data_dir' for lab 'lab-x': '" + dir.string() +
                "' lacks b.csv (expected a folder holding a.csv, b.csv)");
  EXPECT_TRUE(contains(error_of([&] { Params::resolve(specs, false, {{"data_dir", (dir / "a.csv").string()}}); }),
                       "is not a folder"));
  EXPECT_TRUE(contains(error_of([&] { Params::resolve(specs, false, {{"any_path", ""}}); }),
                       "parameter 'any_path' expects a file or folder, got ''"));
  write_file_atomic(dir / "b.csv", "2\n");
  const auto set = Params::resolve(specs, false, {{"data_dir", dir.string()}}, "lab-x");
  EXPECT_TRUE(set.available("data_dir"));
  EXPECT_TRUE(set.unavailable().empty());
  EXPECT_TRUE(contains(error_of([&] { set.text("data_dir"); }), "'data_dir' is a path, not a text"));
  std::filesystem::remove_all(dir);
}

TEST(Params, GettersRejectUnknownNamesAndWrongTypes) {
  const auto p = Params::resolve(specs(), false, {});
  EXPECT_TRUE(contains(error_of([&] { p.integer("nope"); }), "no parameter 'nope'"));
  EXPECT_TRUE(contains(error_of([&] { p.real("trials"); }), "'trials' is a integer, not a real"));
  EXPECT_TRUE(contains(error_of([&] { p.text("ps"); }), "is a real list, not a text"));
}

TEST(Params, DuplicateSpecIsALabBug) {
  auto twice = specs();
  twice.push_back(twice.front());
  EXPECT_TRUE(contains(error_of([&] { Params::resolve(twice, false, {}); }), "declared twice"));
}

// ---------------------------------------------------------------- claims
TEST(Claim, PassesExactlyInsideTheClosedInterval) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(Claim::check("s", "q", "m", 1.0, 1.0, 2.0, "").pass);
  EXPECT_TRUE(Claim::check("s", "q", "m", 2.0, 1.0, 2.0, "").pass);
  EXPECT_TRUE(Claim::check("ratio ≥ 1", "q", "m", 1.37, 1.0, inf, "").pass);
  EXPECT_FALSE(Claim::check("s", "q", "m", 0.999, 1.0, 2.0, "").pass);
  EXPECT_FALSE(Claim::check("s", "q", "m", 2.001, 1.0, 2.0, "").pass);
  EXPECT_FALSE(Claim::check("s", "q", "m", nan, -inf, inf, "").pass);
  EXPECT_FALSE(Claim::check("s", "q", "m", 1.0, nan, 2.0, "").pass);
  labs::Result r;
  EXPECT_TRUE(r.all_pass());
  r.claims = {Claim::check("a", "q", "m", 1, 0, 2, ""), Claim::check("b", "q", "m", nan, 0, 2, "")};
  EXPECT_FALSE(r.all_pass());
}

// ---------------------------------------------------------------- trials
TEST(Context, TrialsAreBitIdenticalForOneAndTwoThreadsAndNamedBySection) {
  const auto draw = [](int threads, const std::string& lab, const std::string& section) {
    ThreadPool pool(threads);
    experiment::PoolExecutor executor(pool);
    labs::Context context;
    context.seed = 17;
    context.lab = lab;
    context.executor = &executor;
    return context.trials<double>(section, 257, [](std::size_t, Rng& rng) {
      double s = 0;
      for (int k = 0; k < 100; ++k) s += normal(rng);
      return s;
    });
  };
  const auto one = draw(1, "lab", "a"), two = draw(2, "lab", "a");
  ASSERT_EQ(one.size(), two.size());
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(double)), 0);
  // Trial t of section "a" is make_rng({seed, lab, "a"}, 0, t); another section or lab is
  // another set of streams, and the section's named stream is none of its trials.
  Rng first = make_rng(Section{17, "lab", "a"}, 0, 0);
  double s = 0;
  for (int k = 0; k < 100; ++k) s += normal(first);
  EXPECT_EQ(s, one[0]);
  EXPECT_NE(one[0], one[1]);
  EXPECT_NE(draw(2, "lab", "b")[0], one[0]);
  EXPECT_NE(draw(2, "other-lab", "a")[0], one[0]);
}

// ---------------------------------------------------------------- JSON
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(ResultJson, RoundTripKeepsEveryFieldAndNonFiniteNumbers) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  labs::Result r;
  r.answer = "Answer with \"quotes\" and ünïcode ≥.";
  r.tables.push_back({"t", "T", {"a", "b"}, {{1.0 / 3.0, std::string("nan")}, {nan, -inf}}, "cap"});
  r.figures.push_back({"f", "F", "x", "y", true, true,
                       {{"l1", {1, 2}, {0.1, nan}, {0.01, 0.02}, "points"}, {"l2", {3}, {inf}, {}, "lines"}},
                       "fig cap"});
  r.parts.push_back({"a", "Q?", "A, $x^2$.", "$$y = 1$$"});
  r.notation.push_back({"N", "samples", "m"});
  r.tables.back().part = "a";
  r.tables.back().data = true;
  r.figures.back().part = "a";
  r.claims.push_back(Claim::check("c", "quantity", "1 ± 2", 1e-300, 0, inf, "d"));
  r.claims.push_back(Claim::check("n", "q", "m", nan, -1, 1, "e"));
  r.claims.back().part = "a";
  r.claims.back().severity = 2.5;
  const auto json = report::Json::parse(report::to_json(r).dump());
  const auto back = report::result_from_json(json);
  EXPECT_EQ(back.answer, r.answer);
  ASSERT_EQ(back.tables.size(), 1u);
  EXPECT_EQ(back.tables[0].columns, r.tables[0].columns);
  EXPECT_EQ(std::get<double>(back.tables[0].rows[0][0]), 1.0 / 3.0);  // exact
  EXPECT_EQ(std::get<std::string>(back.tables[0].rows[0][1]), "nan");  // text stays text
  EXPECT_TRUE(std::isnan(std::get<double>(back.tables[0].rows[1][0])));
  EXPECT_EQ(std::get<double>(back.tables[0].rows[1][1]), -inf);
  ASSERT_EQ(back.figures.size(), 1u);
  const auto& f = back.figures[0];
  EXPECT_TRUE(f.log_x && f.log_y);
  EXPECT_EQ(f.caption, "fig cap");
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0].style, "points");
  EXPECT_TRUE(same(f.lines[0].y[1], nan));
  EXPECT_EQ(f.lines[0].err, r.figures[0].lines[0].err);
  EXPECT_EQ(f.lines[1].y[0], inf);
  EXPECT_TRUE(f.lines[1].err.empty());
  ASSERT_EQ(back.parts.size(), 1u);
  EXPECT_EQ(back.parts[0].answer, "A, $x^2$.");
  EXPECT_EQ(back.parts[0].derivation, "$$y = 1$$");
  ASSERT_EQ(back.notation.size(), 1u);
  EXPECT_EQ(back.notation[0].sheet, "m");
  EXPECT_EQ(back.tables[0].part, "a");
  EXPECT_TRUE(back.tables[0].data);
  EXPECT_EQ(back.figures[0].part, "a");
  ASSERT_EQ(back.claims.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.claims[i].statement, r.claims[i].statement);
    EXPECT_EQ(back.claims[i].quantity, r.claims[i].quantity);
    EXPECT_EQ(back.claims[i].measured, r.claims[i].measured);
    EXPECT_EQ(back.claims[i].test, r.claims[i].test);
    EXPECT_EQ(back.claims[i].part, r.claims[i].part);
    EXPECT_TRUE(same(back.claims[i].severity, r.claims[i].severity));
    EXPECT_TRUE(same(back.claims[i].value, r.claims[i].value));
    EXPECT_TRUE(same(back.claims[i].hi, r.claims[i].hi));
    EXPECT_EQ(back.claims[i].pass, r.claims[i].pass);
  }
  EXPECT_TRUE(contains(error_of([&] {
                         auto broken = json;
                         broken.erase("claims");
                         report::result_from_json(broken);
                       }),
                       "missing field 'claims'"));
}

TEST(ResultJson, CsvIsLongFormatWithQuotedNames) {
  labs::Figure f{"f", "", "", "", false, false,
                 {{"a,b", {1, 2}, {3, 4}, {0.5, 0.25}, "lines"}, {"c", {5}, {6}, {}, "lines"}}, ""};
  EXPECT_EQ(report::figure_csv(f), "line,x,y,err\n\"a,b\",1,3,0.5\n\"a,b\",2,4,0.25\nc,5,6,\n");
}

TEST(Html, EscapesAndFormatsNumbers) {
  EXPECT_EQ(report::html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(report::format_number(1000), "1000");
  EXPECT_EQ(report::format_number(-0.5), "−0.5");
  EXPECT_EQ(report::format_number(3.14159265), "3.142");
  EXPECT_EQ(report::format_number(0.000123456), "0.0001235");
  EXPECT_EQ(report::format_number(1.23456e-7), "1.235×10<sup>−7</sup>");
  EXPECT_EQ(report::format_number(std::numeric_limits<double>::infinity()), "∞");
  EXPECT_EQ(report::format_number(std::nan("")), "NaN");
}

// Two labs of one sheet question: their figures and tables are numbered on across the page,
// each with its own anchor, and the labels link to them.
TEST(Html, NumbersFiguresAndTablesUniquelyAcrossThePage) {
  const auto record = [](std::string lab) {
    report::RunRecord r;
    r.lab = std::move(lab);
    r.sheet = "9.4";
    r.result.figures.resize(2);
    r.result.figures[0].id = "a";
    r.result.figures[1].id = "b";
    r.result.tables.resize(1);
    r.result.tables[0].id = "t";
    return r;
  };
  const std::string html = report::render_html({record("one"), record("two")}, "/nonexistent", "/");
  for (const char* piece : {"9.4 Fig. 1.", "9.4 Fig. 2.", "9.4 Fig. 3.", "9.4 Fig. 4.", "9.4 Table 1.",
                            "9.4 Table 2.", "id=\"lab-one-fig-a\"", "id=\"lab-two-fig-b\"",
                            "href=\"#lab-two-table-t\"", "id=\"lab-one-table-t\""})
    EXPECT_NE(html.find(piece), std::string::npos) << piece;
  EXPECT_EQ(html.find("9.4 Fig. 5."), std::string::npos);
}

// A log axis says so in its label, and a log x axis labels the data's two ends.
TEST(Plot, LogAxesAreMarked) {
  labs::Figure f{"f", "t", "ensemble size m", "variance", true, true,
                 {{"v", {1, 2, 5, 50}, {1, 0.5, 0.3, 0.2}, {}, "lines"}}, ""};
  const std::string script = report::gnuplot_script(f, "/tmp/f.svg");
  EXPECT_NE(script.find("set xlabel \"ensemble size m (log scale)\""), std::string::npos) << script;
  EXPECT_NE(script.find("set ylabel \"variance (log scale)\""), std::string::npos) << script;
  EXPECT_NE(script.find("set xtics add ('1' 1, '50' 50)"), std::string::npos) << script;
  f.x_label = "m (log scale)";  // written by the lab too: said once
  EXPECT_NE(report::gnuplot_script(f, "/tmp/f.svg").find("set xlabel \"m (log scale)\"\n"), std::string::npos);
  f.log_x = f.log_y = false;
  f.x_label = "ensemble size m";
  EXPECT_EQ(report::gnuplot_script(f, "/tmp/f.svg").find("log scale"), std::string::npos);
}

// Error bars are drawn (and get a legend entry) only when they would be visible: at least 1% of
// the y axis.
TEST(Plot, ErrorBarsHiddenUnderThePointsAreNotDrawn) {
  labs::Figure f{"f", "t", "x", "y", false, false,
                 {{"tiny", {1, 2}, {0, 10}, {0.001, 0.001}, "points"},
                  {"big", {1, 2}, {0, 10}, {1, 1}, "points"}},
                 ""};
  const std::string script = report::gnuplot_script(f, "/tmp/f.svg");
  EXPECT_NE(script.find("$d0 using 1:2 with points"), std::string::npos) << script;
  EXPECT_NE(script.find("$d1 using 1:2:3 with yerrorbars"), std::string::npos) << script;
  f.log_y = true;
  f.lines[0].y = {1, 1000};
  f.lines[0].err = {0.001, 1};  // 0.1% relative: under the point on three decades
  EXPECT_NE(report::gnuplot_script(f, "/tmp/f.svg").find("$d0 using 1:2 with points"), std::string::npos);
}

// ---------------------------------------------------------------- runner
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("nnlab_framework_" + name)) {
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

report::ReportOptions options_for(const std::filesystem::path& out) {
  report::ReportOptions o;
  o.quick = true;
  o.out_root = out;
  o.only = {"test-fake"};
  o.seed = 5;
  o.threads = 2;
  return o;
}

TEST(Runner, ResumeSkipsUnchangedLabsAndRerunsChangedOnes) {
  TempDir dir("resume");
  auto o = options_for(dir.path);
  const int before = fake_runs;
  auto out = report::run_report(o);
  EXPECT_EQ(fake_runs, before + 1);
  ASSERT_EQ(out.labs.size(), 1u);
  EXPECT_EQ(out.labs[0].status, report::LabOutcome::Status::ran);
  EXPECT_TRUE(out.all_claims_pass());
  const auto json = dir.path / "results" / "test-fake.json";
  const auto record = report::read_record(json, "test-fake");
  EXPECT_EQ(record.seed, 5u);
  EXPECT_TRUE(record.quick);
  EXPECT_EQ(record.params, labs::Params::resolve(specs(), true, {}).items());
  EXPECT_TRUE(std::filesystem::exists(dir.path / "results" / "test-fake" / "running-mean.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir.path / "report" / "index.html"));

  o.resume = true;
  out = report::run_report(o);
  EXPECT_EQ(fake_runs, before + 1);  // reused
  EXPECT_EQ(out.labs[0].status, report::LabOutcome::Status::reused);

  o.seed = 6;  // another seed: rerun
  report::run_report(o);
  EXPECT_EQ(fake_runs, before + 2);
  report::run_report(o);
  EXPECT_EQ(fake_runs, before + 2);

  o.quick = false;  // another setting: rerun
  report::run_report(o);
  EXPECT_EQ(fake_runs, before + 3);

  // Other parameters on file than the ones this run would use: rerun.
  auto edited = report::read_record(json);
  edited.params[0].second = "7";
  report::write_record(edited, json);
  report::run_report(o);
  EXPECT_EQ(fake_runs, before + 4);
  EXPECT_EQ(report::read_record(json).params[0].second, "400");

  o.resume = false;  // without --resume everything runs again
  report::run_report(o);
  EXPECT_EQ(fake_runs, before + 5);
}

TEST(Runner, CorruptResultsFileIsNamedAndNothingElseIsLost) {
  TempDir dir("corrupt");
  auto o = options_for(dir.path);
  o.only = {"test-fake", "test-throws"};
  report::run_report(o);
  const auto json = dir.path / "results" / "test-fake.json";
  const auto other = dir.path / "results" / "test-throws.json";
  const std::string other_before = read_file(other);
  const std::string html_before = read_file(dir.path / "report" / "index.html");
  write_file_atomic(json, "{\"lab\": \"test-fake\", \"sheet\": ");
  o.resume = true;
  const auto message = error_of([&] { report::run_report(o); });
  EXPECT_TRUE(contains(message, json.string())) << message;
  EXPECT_TRUE(contains(message, "not a valid nnlab result")) << message;
  EXPECT_EQ(read_file(other), other_before);
  EXPECT_EQ(read_file(dir.path / "report" / "index.html"), html_before);

  // A valid file of another lab under this lab's name is a mismatch, named too.
  write_file_atomic(json, read_file(other));
  EXPECT_TRUE(contains(error_of([&] { report::run_report(o); }),
                       "holds the results of lab 'test-throws', expected 'test-fake'"));
}

TEST(Runner, ALabThatThrowsKeepsTheOthersResults) {
  TempDir dir("throws");
  auto o = options_for(dir.path);
  o.only = {"test-throws", "test-fake"};
  const auto out = report::run_report(o);
  ASSERT_EQ(out.labs.size(), 2u);
  EXPECT_EQ(out.labs[0].lab, "test-fake");  // report order: by sheet
  EXPECT_EQ(out.labs[0].status, report::LabOutcome::Status::ran);
  EXPECT_EQ(out.labs[1].status, report::LabOutcome::Status::failed);
  EXPECT_EQ(out.labs[1].error, "boom: 42");
  EXPECT_TRUE(out.any_failed());
  const auto fake = report::read_record(dir.path / "results" / "test-fake.json");
  EXPECT_EQ(fake.result.claims.size(), 1u);
  EXPECT_EQ(report::read_record(dir.path / "results" / "test-throws.json").error, "boom: 42");
  const auto html = read_file(out.html);
  EXPECT_TRUE(contains(html, "This lab failed:</strong> boom: 42"));
  EXPECT_TRUE(contains(html, "id=\"lab-test-fake\""));
  // Lab text is escaped, never markup.
  EXPECT_TRUE(contains(html, "&lt;U&gt; ~ Uniform(0,1) &amp; co?"));
  EXPECT_FALSE(contains(html, "<U>"));
  EXPECT_FALSE(contains(html, "<paragraph>"));
  // With --resume a failed lab is run again, not reused.
  o.resume = true;
  EXPECT_EQ(report::run_report(o).labs[1].status, report::LabOutcome::Status::failed);
}

TEST(Runner, UnknownLabAndUnwritableFolderAreNamed) {
  auto o = options_for("/proc/nnlab-test");
  EXPECT_TRUE(contains(error_of([&] { report::run_report(o); }), "'/proc/nnlab-test/results'"));
  o.only = {"no-such-lab"};
  EXPECT_EQ(error_of([&] { report::run_report(o); }), "unknown lab 'no-such-lab'; see nnlab list");
}

TEST(Registry, SortedBySheetThenIdAndRejectsDuplicates) {
  const auto labs = labs::all_labs();
  ASSERT_GE(labs.size(), 2u);
  EXPECT_EQ(labs[0]->id(), "test-fake");  // sheet 0.1 sorts before 9.x
  EXPECT_EQ(labs::find_lab("test-throws"), labs[1]);
  EXPECT_EQ(labs::find_lab("none"), nullptr);
  EXPECT_TRUE(contains(error_of([] { labs::register_lab(std::make_unique<FakeLab>()); }),
                       "registered twice"));
}

// A mutant that names its parts skips the others; one that names none, or the true theory, runs all.
TEST(Framework, MutantsRunOnlyThePartsWhoseTheoryTheyReplace) {
  class PartsLab : public FakeLab {
   public:
    std::vector<labs::Mutant> mutants() const override {
      return {{"everywhere", "replaces every part's theory"}, {"only-a", "replaces (a)'s theory", {"a"}}};
    }
  };
  const PartsLab lab;
  labs::Context context;
  EXPECT_TRUE(labs::runs_part(lab, context, "a"));
  EXPECT_TRUE(labs::runs_part(lab, context, "b"));
  context.mutant = "only-a";
  EXPECT_TRUE(labs::runs_part(lab, context, "a"));
  EXPECT_FALSE(labs::runs_part(lab, context, "b"));
  context.mutant = "everywhere";
  EXPECT_TRUE(labs::runs_part(lab, context, "b"));
  context.mutant = "no-such-mutant";
  EXPECT_THROW(labs::runs_part(lab, context, "a"), Error);
}

}  // namespace
}  // namespace nnlab
