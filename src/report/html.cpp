// The HTML report: built from run records as one string; every text from a lab is escaped,
// SVGs are inlined with their ids prefixed so several plots can share one page.
#include "nnlab/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "nnlab/core/file.hpp"

namespace nnlab::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";
  std::string s;
  if (v == std::trunc(v) && std::abs(v) < 1e6) {
    s = fmt::format("{:.0f}", v);
  } else {
    s = fmt::format("{:.4g}", v);
    if (const auto e = s.find('e'); e != std::string::npos) {
      const int exponent = std::stoi(s.substr(e + 1));
      s = fmt::format("{}×10<sup>{}</sup>", s.substr(0, e), exponent);
    }
  }
  // A typographic minus sign reads better than a hyphen.
  std::string out;
  for (char c : s) out += c == '-' ? std::string("−") : std::string(1, c);
  return out;
}

namespace {

constexpr const char* css = R"css(
:root { --fg:#1f2328; --muted:#59636e; --line:#d8dee4; --soft:#f6f8fa; --accent:#0969da;
        --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
       font: 16px/1.6 -apple-system, "Segoe UI", "Helvetica Neue", Helvetica, Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .4rem; }
h2 { font-size: 1.45rem; line-height: 1.3; margin: 0 0 .3rem; }
h3 { font-size: 1.05rem; margin: 1.8rem 0 .6rem; color: var(--muted); text-transform: uppercase;
     letter-spacing: .04em; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
p { margin: .5rem 0; }
.lede { color: var(--muted); margin-bottom: 1.5rem; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .6rem;
           margin: 1.2rem 0 2rem; }
.summary div { background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
               padding: .55rem .8rem; }
.summary dt { font-size: .78rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.summary dd { margin: 0; font-size: 1.1rem; font-weight: 600; font-variant-numeric: tabular-nums; }
nav.toc { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1.2rem; margin-bottom: 2.5rem; }
nav.toc h2 { font-size: 1.1rem; margin: .2rem 0 .6rem; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li.group { display: grid; grid-template-columns: 5.5rem 1fr; gap: .2rem 1rem;
                   padding: .45rem 0; border-top: 1px solid var(--line); }
nav.toc li.group:first-child { border-top: none; }
nav.toc .entry { display: flex; justify-content: space-between; gap: 1rem; align-items: baseline; }
.sheet { font-weight: 700; font-variant-numeric: tabular-nums; color: var(--muted); }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; letter-spacing: .03em;
         padding: .05rem .5rem; border-radius: 1rem; white-space: nowrap; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
section.lab { border-top: 3px solid var(--fg); padding-top: 1.2rem; margin-top: 3rem; }
section.lab > header .sheet { font-size: 1rem; }
.meta { color: var(--muted); font-size: .9rem; }
.answer { background: var(--soft); border-left: 4px solid var(--accent); padding: .6rem 1rem;
          margin: 1rem 0; border-radius: 0 6px 6px 0; }
.error { background: var(--fail-bg); border-left: 4px solid var(--fail); padding: .6rem 1rem;
         margin: 1rem 0; border-radius: 0 6px 6px 0; }
.warning { color: #9a6700; font-size: .9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail td { background: #fff8f7; }
table.claims td.status { width: 4.5rem; }
figure { margin: 1.5rem 0; }
figure > .title { font-weight: 600; margin-bottom: .2rem; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
a.label { color: inherit; text-decoration: none; }
svg.plot { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
.noplot { border: 1px dashed var(--line); border-radius: 6px; padding: 1.5rem; color: var(--muted);
          text-align: center; }
details { margin-top: 1.5rem; } summary { cursor: pointer; color: var(--muted); font-weight: 600; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .88em; }
footer { margin-top: 4rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
         padding-top: 1rem; }
/* Phones: the run summary as compact chips, each claim as a card with labelled fields, so no
   column runs off-screen. */
@media (max-width: 640px) {
  .summary { display: flex; flex-wrap: wrap; gap: .3rem .9rem; margin: .8rem 0 1.4rem; }
  .summary div { background: none; border: none; padding: 0; display: flex; gap: .35rem;
                 align-items: baseline; }
  .summary dd { font-size: .95rem; }
  nav.toc li.group { grid-template-columns: 3.2rem 1fr; }
  table.claims thead { display: none; }
  table.claims, table.claims tbody, table.claims tr, table.claims td { display: block; width: auto; }
  table.claims tr { border: 1px solid var(--line); border-radius: 8px; margin: .6rem 0; padding: .3rem 0; }
  table.claims td { border: none; padding: .15rem .7rem; text-align: left; }
  table.claims td[data-label]::before { content: attr(data-label) ": "; color: var(--muted);
                                        font-size: .85rem; }
}
)css";

std::size_t passed(const RunRecord& r) {
  return std::size_t(std::count_if(r.result.claims.begin(), r.result.claims.end(),
                                   [](const experiment::Claim& c) { return c.pass; }));
}

std::string badge(const RunRecord& r) {
  if (!r.error.empty()) return R"(<span class="badge fail">ERROR</span>)";
  const std::size_t n = r.result.claims.size(), k = passed(r);
  if (n == 0) return R"(<span class="badge pass">no claims</span>)";
  return fmt::format(R"(<span class="badge {}">{}/{} {}</span>)", k == n ? "pass" : "fail", k, n,
                     k == n ? "PASS" : "FAIL");
}

std::string anchor(const RunRecord& r) { return "lab-" + html_escape(r.lab); }

// Blank-line separated paragraphs.
std::string paragraphs(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    const auto para = text.substr(start, end - start);
    if (para.find_first_not_of(" \n\t") != std::string_view::npos)
      out += "<p>" + html_escape(para) + "</p>\n";
    start = end + 2;
  }
  return out;
}

std::string cell(const experiment::Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return "<td>" + html_escape(*s) + "</td>";
  return "<td class=\"num\">" + format_number(std::get<double>(c)) + "</td>";
}

std::string interval(const experiment::Claim& c) {
  return fmt::format("[{}, {}]", format_number(c.lo), format_number(c.hi));
}

// gnuplot's SVG without the XML prolog, its ids prefixed so they stay unique in the page.
std::string inline_svg(std::string svg, const std::string& prefix, const std::string& label) {
  if (const auto pos = svg.find("<svg"); pos != std::string::npos) svg.erase(0, pos);
  svg = std::regex_replace(svg, std::regex(R"(<title>Gnuplot</title>)"), "");
  svg = std::regex_replace(svg, std::regex(R"(\bid=(['"]))"), "id=$1" + prefix);
  svg = std::regex_replace(svg, std::regex(R"(href=(['"])#)"), "href=$1#" + prefix);
  svg = std::regex_replace(svg, std::regex(R"(url\(#)"), "url(#" + prefix);
  return fmt::format(R"(<svg class="plot" role="img" aria-label="{}")", html_escape(label)) +
         svg.substr(4);
}

std::string relative_link(const std::filesystem::path& target, const std::filesystem::path& from) {
  return html_escape(std::filesystem::proximate(target, from).generic_string());
}

// Figures and tables are numbered per sheet question across the page ("9.4 Fig. 3"), so two labs
// of one question never share a number, and each has an anchor to link to.
struct Numbering {
  std::map<std::string, int> figures, tables;
};

// "<strong>9.1.6 Fig. 2.</strong>" linking to itself, and its anchor id.
std::pair<std::string, std::string> numbered(const RunRecord& r, std::string_view kind,
                                             std::string_view id, int number) {
  const std::string target =
      fmt::format("{}-{}-{}", anchor(r), kind == "Fig." ? "fig" : "table", html_escape(id));
  return {fmt::format(R"(<a class="label" href="#{}"><strong>{} {} {}.</strong></a>)", target,
                      html_escape(r.sheet), kind, number),
          target};
}

void render_lab(std::string& out, const RunRecord& r, const std::filesystem::path& results_dir,
                const std::filesystem::path& report_dir, Numbering& numbering) {
  out += fmt::format(R"(<section class="lab" id="{}">)" "\n<header>\n", anchor(r));
  out += fmt::format("<h2><span class=\"sheet\">{}</span> &nbsp;{}</h2>\n", html_escape(r.sheet),
                     html_escape(r.question));
  out += fmt::format(
      "<p class=\"meta\">{} · lab <code>{}</code> · {} setting · seed {} · {:.1f} s · "
      "<a href=\"{}\">results JSON</a></p>\n</header>\n",
      badge(r), html_escape(r.lab), r.quick ? "quick" : "full", r.seed, r.seconds,
      relative_link(results_dir / (r.lab + ".json"), report_dir));
  if (!r.error.empty()) {
    out += "<div class=\"error\"><strong>This lab failed:</strong> " + html_escape(r.error) +
           "</div>\n</section>\n";
    return;
  }
  out += "<div class=\"answer\">\n" + paragraphs(r.result.answer) + "</div>\n";

  if (!r.result.claims.empty()) {
    out += "<h3>Claims</h3>\n<div class=\"scroll\"><table class=\"claims\">\n<thead><tr><th>Check</th>"
           "<th>Statement</th><th>Measured</th><th>Accepted interval</th><th>Detail</th></tr></thead>\n<tbody>\n";
    for (const auto& c : r.result.claims)
      out += fmt::format(
          "<tr class=\"{}\"><td class=\"status\"><span class=\"badge {}\">{}</span></td><td>{}</td>"
          "<td class=\"num\" data-label=\"Measured\">{}</td>"
          "<td class=\"num\" data-label=\"Accepted interval\">{}</td><td data-label=\"Detail\">{}</td></tr>\n",
          c.pass ? "pass" : "fail", c.pass ? "pass" : "fail", c.pass ? "PASS" : "FAIL",
          html_escape(c.statement), format_number(c.value), interval(c), html_escape(c.detail));
    out += "</tbody></table></div>\n";
  }

  if (!r.result.tables.empty()) out += "<h3>Tables</h3>\n";
  for (const auto& t : r.result.tables) {
    const auto [table_label, table_id] = numbered(r, "Table", t.id, ++numbering.tables[r.sheet]);
    out += fmt::format("<figure id=\"{}\">\n<div class=\"title\">{} {}</div>\n", table_id, table_label,
                       html_escape(t.title));
    out += "<div class=\"scroll\"><table>\n<thead><tr>";
    for (std::size_t k = 0; k < t.columns.size(); ++k) {
      // Numbers are right-aligned; so is the header of an all-number column.
      const bool numeric = !t.rows.empty() && std::all_of(t.rows.begin(), t.rows.end(), [&](const auto& row) {
        return std::holds_alternative<double>(row[k]);
      });
      out += (numeric ? "<th class=\"num\">" : "<th>") + html_escape(t.columns[k]) + "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
      out += "<tr>";
      for (const auto& c : row) out += cell(c);
      out += "</tr>\n";
    }
    out += "</tbody></table></div>\n";
    if (!t.caption.empty()) out += "<figcaption>" + html_escape(t.caption) + "</figcaption>\n";
    out += "</figure>\n";
  }

  if (!r.result.figures.empty()) out += "<h3>Figures</h3>\n";
  for (const auto& f : r.result.figures) {
    const auto [figure_label, figure_id] = numbered(r, "Fig.", f.id, ++numbering.figures[r.sheet]);
    const auto svg_path = results_dir / r.lab / (f.id + ".svg");
    const auto csv_link = relative_link(results_dir / r.lab / (f.id + ".csv"), report_dir);
    out += fmt::format("<figure id=\"{}\">\n", figure_id);
    if (std::filesystem::exists(svg_path))
      out += inline_svg(read_file(svg_path), fmt::format("{}-{}-", r.lab, f.id), f.title) + "\n";
    else
      out += "<div class=\"noplot\">No plot: gnuplot was not available or could not draw this "
             "figure. The data are in <a href=\"" + csv_link + "\">" + html_escape(f.id) +
             ".csv</a>.</div>\n";
    out += fmt::format("<figcaption>{} {}{}{} <a href=\"{}\">data (CSV)</a></figcaption>\n",
                       figure_label, html_escape(f.title), f.caption.empty() ? "" : " — ",
                       html_escape(f.caption), csv_link);
    out += "</figure>\n";
  }

  for (const auto& w : r.warnings) out += "<p class=\"warning\">⚠ " + html_escape(w) + "</p>\n";

  out += "<details><summary>Parameters used</summary>\n<table>\n<thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>\n";
  for (const auto& [name, value] : r.params)
    out += "<tr><td><code>" + html_escape(name) + "</code></td><td><code>" + html_escape(value) +
           "</code></td></tr>\n";
  out += "</tbody></table>\n</details>\n</section>\n";
}

}  // namespace

std::string render_html(const std::vector<RunRecord>& records,
                        const std::filesystem::path& results_dir,
                        const std::filesystem::path& report_dir) {
  std::size_t claims = 0, claims_passed = 0, errors = 0;
  double seconds = 0;
  std::string finished, seeds, settings, versions;
  const auto note = [](std::string& acc, const std::string& v) {
    if (acc.empty()) acc = v;
    else if (acc != v && acc != "mixed") acc = "mixed";
  };
  for (const auto& r : records) {
    claims += r.result.claims.size();
    claims_passed += passed(r);
    errors += !r.error.empty();
    seconds += r.seconds;
    finished = std::max(finished, r.finished);
    note(seeds, std::to_string(r.seed));
    note(settings, r.quick ? "quick" : "full");
    note(versions, r.nnlab_version);
  }

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>nnlab report</title>\n<style>" + std::string(css) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header>\n<h1>nnlab report</h1>\n<p class=\"lede\">Each section below answers one "
         "question of the exercise sheet with a numerical experiment: the short answer, the "
         "claims from theory checked against the measurements, and the evidence as tables and "
         "plots. Every number can be reproduced with the seed and parameters shown.</p>\n";
  out += "<dl class=\"summary\">\n";
  const auto item = [&](std::string_view label, const std::string& value, const char* cls = "") {
    out += fmt::format("<div><dt>{}</dt><dd{}>{}</dd></div>\n", label, cls, value);
  };
  item("Claims passed", fmt::format("{} / {}", claims_passed, claims),
       claims_passed == claims && errors == 0 ? " style=\"color:var(--pass)\""
                                               : " style=\"color:var(--fail)\"");
  item("Labs", errors ? fmt::format("{} ({} failed)", records.size(), errors)
                      : std::to_string(records.size()));
  item("Setting", html_escape(settings.empty() ? "—" : settings));
  item("Seed", html_escape(seeds.empty() ? "—" : seeds));
  item("Compute time", fmt::format("{:.1f} s", seconds));
  item("nnlab version", html_escape(versions.empty() ? "—" : versions));
  // "2025-01-31T12:00:00Z" -> "2025-01-31 12:00 UTC"
  const std::string when = finished.size() == 20
                               ? finished.substr(0, 10) + " " + finished.substr(11, 5) + " UTC"
                               : finished;
  item("Finished", html_escape(when.empty() ? "—" : when));
  out += "</dl>\n</header>\n";

  out += "<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n";
  for (std::size_t i = 0; i < records.size();) {
    std::size_t j = i;
    while (j < records.size() && records[j].sheet == records[i].sheet) ++j;
    out += "<li class=\"group\"><span class=\"sheet\">" + html_escape(records[i].sheet) +
           "</span><div>\n";
    for (; i < j; ++i)
      out += fmt::format("<div class=\"entry\"><a href=\"#{}\">{}</a> {}</div>\n",
                         anchor(records[i]), html_escape(records[i].question), badge(records[i]));
    out += "</div></li>\n";
  }
  out += "</ol>\n</nav>\n";

  Numbering numbering;
  for (const auto& r : records) render_lab(out, r, results_dir, report_dir, numbering);

  out += "<footer>Generated by nnlab " + html_escape(versions) +
         ". Data behind every figure: the CSV files next to each lab's JSON in <code>" +
         html_escape(std::filesystem::proximate(results_dir, report_dir).generic_string()) +
         "/</code>.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace nnlab::report
