// The HTML report: built from run records as one string; every text from a lab is escaped,
// SVGs are inlined with their ids prefixed so several plots can share one page.
#include "nnlab/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "nnlab/core/file.hpp"
#include "nnlab/report/markup.hpp"

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
.runline { color: var(--muted); font-size: .92rem; margin: .4rem 0 1.6rem; }
.runline b { color: var(--fg); font-variant-numeric: tabular-nums; }
.runline .sep { margin: 0 .45rem; color: var(--line); }
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
section.part { margin-top: 2.2rem; }
section.part > h3 { text-transform: none; letter-spacing: 0; color: var(--fg); font-size: 1.12rem;
                    display: flex; justify-content: space-between; gap: 1rem; align-items: baseline; }
a.top { font-size: .8rem; font-weight: 400; white-space: nowrap; }
.derivation { border: 1px solid var(--line); border-radius: 6px; padding: .4rem 1rem; margin: .8rem 0; }
.derivation > .label, .notation > summary { font-size: .78rem; color: var(--muted); text-transform: uppercase;
                                            letter-spacing: .04em; font-weight: 600; }
.evidence { font-size: .9rem; color: var(--muted); }
math { font-size: 1.08em; }
math[display="block"] { margin: .5rem 0; overflow-x: auto; overflow-y: hidden; }
td.num math, td math { font-size: 1em; }
nav.toc ol.parts { margin: .1rem 0 .3rem 1rem; font-size: .9rem; }
nav.toc ol.parts li { margin: .1rem 0; }
table.claims { table-layout: fixed; }
table.claims col.n { width: 2.4rem; } table.claims col.check { width: 4.6rem; }
table.claims col.part { width: 5.4rem; } table.claims col.measured { width: 30%; }
table.claims col.test { width: 22%; }
table.claims td { overflow-wrap: break-word; }
/* A formula wider than its cell scrolls inside it instead of running over the next column. */
td math, nav.toc math { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden;
                        vertical-align: middle; padding: .15em 0; }
/* A part label wraps only at its spaces, and only when it is too long for the column ("9.2.1, 9.2.4 (a)"). */
table.claims td.part { overflow-wrap: normal; }
table.claims .quantity { color: var(--muted); font-size: .88em; }
details { margin-top: 1.5rem; } summary { cursor: pointer; color: var(--muted); font-weight: 600; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .88em; }
footer { margin-top: 4rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
         padding-top: 1rem; }
/* Phones: each claim as a card with labelled fields, so no
   column runs off-screen. */
@media (max-width: 640px) {
  nav.toc li.group { grid-template-columns: 3.2rem 1fr; }
  table.claims thead { display: none; }
  table.claims, table.claims tbody, table.claims tr, table.claims td { display: block; width: auto; }
  table.claims tr { border: 1px solid var(--line); border-radius: 8px; margin: .6rem 0; padding: .3rem 0; }
  table.claims td { border: none; padding: .15rem .7rem; text-align: left; }
  table.claims td:first-child, table.claims td.status { display: inline-block; padding-right: 0; }
  table.claims td[data-label]::before { content: attr(data-label) ": "; color: var(--muted);
                                        font-size: .85rem; }
  main { padding: 1.2rem .9rem 3rem; }
  .notation thead { display: none; }
  .notation table, .notation tbody, .notation tr, .notation td { display: block; width: auto; }
  .notation tr { border-bottom: 1px solid var(--line); padding: .3rem 0; }
  .notation td { border: none; padding: .05rem .3rem; }
  .notation td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
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

std::string cell(const experiment::Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return "<td>" + markup_to_html(*s, true) + "</td>";
  return "<td class=\"num\">" + format_number(std::get<double>(c)) + "</td>";
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

// "9.1.6 (a)"
std::string part_label(const RunRecord& r, const std::string& part) {
  return html_escape(r.sheet) + " (" + html_escape(part) + ")";
}

std::string part_anchor(const RunRecord& r, const std::string& part) {
  return anchor(r) + "-part-" + html_escape(part);
}

std::string claim_anchor(const RunRecord& r, std::size_t k) {
  return fmt::format("{}-claim-{}", anchor(r), k + 1);
}

// The measured value: "±" kept with the numbers around it, 7e-05 as 7×10⁻⁵, minus signs.
std::string measured_html(const std::string& measured) {
  std::string html = std::regex_replace(html_escape(measured), std::regex(" ± "), "&nbsp;±&nbsp;");
  html = std::regex_replace(html, std::regex(R"((\d)e([+-]?)0*(\d+))"), "$1×10<sup>$2$3</sup>");
  html = std::regex_replace(html, std::regex(R"(<sup>\+)"), "<sup>");
  return std::regex_replace(html, std::regex(R"((^|[^\w])-(\d))"), "$1−$2");
}

void render_claims(std::string& out, const RunRecord& r) {
  out += "<h3>Claims</h3>\n<div class=\"scroll\"><table class=\"claims\">\n<colgroup><col class=\"n\">"
         "<col class=\"check\"><col class=\"part\"><col><col class=\"measured\"><col class=\"test\">"
         "</colgroup>\n<thead><tr><th>#</th><th>Check</th><th>Part</th><th>Statement</th>"
         "<th>Measured</th><th>Test</th></tr></thead>\n<tbody>\n";
  const auto& claims = r.result.claims;
  for (std::size_t k = 0; k < claims.size(); ++k) {
    const auto& c = claims[k];
    out += fmt::format(
        "<tr class=\"{0}\" id=\"{1}\"><td class=\"num\"><a class=\"label\" href=\"#{1}\">{2}</a></td>"
        "<td class=\"status\"><span class=\"badge {0}\">{3}</span></td>"
        "<td class=\"part\" data-label=\"Checks\"><a href=\"#{4}\">{5}</a></td><td>{6}</td>"
        "<td data-label=\"Measured\"><span class=\"quantity\">{7}:</span> <b>{8}</b></td>"
        "<td data-label=\"Test\">{9}</td></tr>\n",
        c.pass ? "pass" : "fail", claim_anchor(r, k), k + 1, c.pass ? "PASS" : "FAIL",
        part_anchor(r, c.part), part_label(r, c.part), markup_to_html(c.statement, true),
        markup_to_html(c.quantity, true), measured_html(c.measured), html_escape(c.test));
  }
  out += "</tbody></table></div>\n";
}

void render_notation(std::string& out, const RunRecord& r) {
  if (r.result.notation.empty()) return;
  out += "<details class=\"notation\" open><summary>Notation</summary>\n<div class=\"scroll\"><table>"
         "<thead><tr><th>Symbol</th><th>Meaning</th><th>On the sheet</th></tr></thead>\n<tbody>\n";
  for (const auto& s : r.result.notation)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td data-label=\"On the sheet\">{}</td></tr>\n",
                       tex_to_mathml(s.symbol, false), markup_to_html(s.meaning, true),
                       s.sheet.empty() ? "the same" : "<strong>" + tex_to_mathml(s.sheet, false) + "</strong> (differs)");
  out += "</tbody></table></div>\n</details>\n";
}

void render_table(std::string& out, const experiment::Table& t,
                  const std::string& label, const std::string& id) {
  out += fmt::format("<figure id=\"{}\">\n<div class=\"title\">{} {}</div>\n", id, label,
                     markup_to_html(t.title, true));
  if (!t.caption.empty()) out += "<figcaption>" + markup_to_html(t.caption, true) + "</figcaption>\n";
  out += "<div class=\"scroll\"><table>\n<thead><tr>";
  for (std::size_t k = 0; k < t.columns.size(); ++k) {
    // Numbers are right-aligned; so is the header of an all-number column.
    const bool numeric = !t.rows.empty() && std::all_of(t.rows.begin(), t.rows.end(), [&](const auto& row) {
      return std::holds_alternative<double>(row[k]);
    });
    out += (numeric ? "<th class=\"num\">" : "<th>") + markup_to_html(t.columns[k], true) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const auto& c : row) out += cell(c);
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n</figure>\n";
}

void render_figure(std::string& out, const RunRecord& r, const experiment::Figure& f,
                   const std::string& label, const std::string& id,
                   const std::filesystem::path& results_dir, const std::filesystem::path& report_dir) {
  const auto svg_path = results_dir / r.lab / (f.id + ".svg");
  const auto csv_link = relative_link(results_dir / r.lab / (f.id + ".csv"), report_dir);
  out += fmt::format("<figure id=\"{}\">\n", id);
  if (std::filesystem::exists(svg_path))
    out += inline_svg(read_file(svg_path), fmt::format("{}-{}-", r.lab, f.id), markup_to_text(f.title)) + "\n";
  else
    out += "<div class=\"noplot\">No plot: gnuplot was not available or could not draw this "
           "figure. The data are in <a href=\"" + csv_link + "\">" + html_escape(f.id) +
           ".csv</a>.</div>\n";
  const std::string field_link =
      f.field ? fmt::format(" <a href=\"{}\">field (CSV)</a>",
                            relative_link(results_dir / r.lab / (f.id + ".field.csv"), report_dir))
              : "";
  out += fmt::format("<figcaption>{} {}{}{} <a href=\"{}\">data (CSV)</a>{}</figcaption>\n", label,
                     markup_to_html(f.title, true), f.caption.empty() ? "" : " — ",
                     markup_to_html(f.caption, true), csv_link, field_link);
  out += "</figure>\n";
}

void render_lab(std::string& out, const RunRecord& r, const std::filesystem::path& results_dir,
                const std::filesystem::path& report_dir, Numbering& numbering) {
  out += fmt::format(R"(<section class="lab" id="{}">)" "\n<header>\n", anchor(r));
  out += fmt::format("<h2><span class=\"sheet\">{}</span> &nbsp;{}</h2>\n", html_escape(r.sheet),
                     html_escape(r.question));
  out += fmt::format(
      "<p class=\"meta\">{} · lab <code>{}</code> · {} setting · seed {} · {:.1f} s · "
      "<a href=\"{}\">results JSON</a> · <a class=\"top\" href=\"#contents\">↑ contents</a></p>\n</header>\n",
      badge(r), html_escape(r.lab), r.quick ? "quick" : "full", r.seed, r.seconds,
      relative_link(results_dir / (r.lab + ".json"), report_dir));
  if (!r.error.empty()) {
    out += "<div class=\"error\"><strong>This lab failed:</strong> " + html_escape(r.error) +
           "</div>\n</section>\n";
    return;
  }
  const auto& result = r.result;
  out += "<div class=\"answer\">\n" + markup_to_html(result.answer) + "</div>\n";
  if (!result.claims.empty()) render_claims(out, r);
  render_notation(out, r);

  // Sub-questions in the lab's order; evidence naming no declared part comes last, so nothing
  // a lab produced is ever left out.
  std::vector<std::string> order;
  for (const auto& p : result.parts) order.push_back(p.id);
  const auto declared = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) != order.end();
  };
  const bool orphans = std::any_of(result.figures.begin(), result.figures.end(), [&](const auto& f) { return !declared(f.part); }) ||
                       std::any_of(result.tables.begin(), result.tables.end(), [&](const auto& t) { return !declared(t.part); });
  for (const std::string& part_id : order) {
    const auto part = std::find_if(result.parts.begin(), result.parts.end(),
                                   [&](const auto& p) { return p.id == part_id; });
    out += fmt::format("<section class=\"part\" id=\"{}\">\n<h3><span>{} &nbsp;{}</span>"
                       "<a class=\"top\" href=\"#contents\">↑ contents</a></h3>\n",
                       part_anchor(r, part_id), part_label(r, part_id),
                       markup_to_html(part->question, true));
    out += "<div class=\"answer\">\n" + markup_to_html(part->answer) + "</div>\n";
    if (!part->derivation.empty())
      out += "<div class=\"derivation\"><div class=\"label\">Derivation</div>\n" +
             markup_to_html(part->derivation) + "</div>\n";

    // Number this part's figures and tables first, so the evidence line can name them.
    std::vector<std::pair<const experiment::Figure*, std::pair<std::string, std::string>>> figures;
    std::vector<std::pair<const experiment::Table*, std::pair<std::string, std::string>>> tables;
    for (const auto& f : result.figures)
      if (f.part == part_id) figures.push_back({&f, numbered(r, "Fig.", f.id, ++numbering.figures[r.sheet])});
    for (const auto& t : result.tables)
      if (t.part == part_id) tables.push_back({&t, numbered(r, "Table", t.id, ++numbering.tables[r.sheet])});
    std::vector<std::string> evidence;
    for (std::size_t k = 0; k < result.claims.size(); ++k)
      if (result.claims[k].part == part_id)
        evidence.push_back(fmt::format("<a href=\"#{}\">claim {}</a>{}", claim_anchor(r, k), k + 1,
                                       result.claims[k].pass ? "" : " (FAIL)"));
    const auto link = [](const std::string& label, const std::string& id) {
      // The label is a link to the item already; the evidence line links to the same anchor.
      return std::regex_replace(label, std::regex(R"(<a class="label" href="#[^"]*"><strong>(.*)\.</strong></a>)"),
                                "<a href=\"#" + id + "\">$1</a>");
    };
    for (const auto& [f, label] : figures) evidence.push_back(link(label.first, label.second));
    for (const auto& [t, label] : tables) evidence.push_back(link(label.first, label.second));
    if (!evidence.empty()) {
      std::string line;
      for (const auto& e : evidence) line += (line.empty() ? "" : " · ") + e;
      out += "<p class=\"evidence\">Evidence: " + line + "</p>\n";
    }
    for (const auto& [f, label] : figures)
      render_figure(out, r, *f, label.first, label.second, results_dir, report_dir);
    for (const auto& [t, label] : tables)
      if (!t->data) render_table(out, *t, label.first, label.second);
    for (const auto& [t, label] : tables)
      if (t->data) {
        out += "<details class=\"data\"><summary>Data: " + link(label.first, label.second) + " " +
               markup_to_html(t->title, true) + "</summary>\n";
        render_table(out, *t, label.first, label.second);
        out += "</details>\n";
      }
    out += "</section>\n";
  }
  if (orphans) {
    out += "<section class=\"part\"><h3>Other evidence</h3>\n";
    for (const auto& f : result.figures)
      if (!declared(f.part)) {
        const auto [label, id] = numbered(r, "Fig.", f.id, ++numbering.figures[r.sheet]);
        render_figure(out, r, f, label, id, results_dir, report_dir);
      }
    for (const auto& t : result.tables)
      if (!declared(t.part)) {
        const auto [label, id] = numbered(r, "Table", t.id, ++numbering.tables[r.sheet]);
        render_table(out, t, label, id);
      }
    out += "</section>\n";
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
  // Run metadata in one line: the result first, then what it was run with.
  const bool all_good = claims_passed == claims && errors == 0;
  // "2025-01-31T12:00:00Z" -> "2025-01-31 12:00 UTC"
  const std::string when = finished.size() == 20
                               ? finished.substr(0, 10) + " " + finished.substr(11, 5) + " UTC"
                               : finished;
  const std::string sep = "<span class=\"sep\">·</span>";
  out += fmt::format(
      "<p class=\"runline\"><b style=\"color:var(--{})\">{} / {} claims passed</b>{}<b>{}</b> lab{}{}{}"
      "<b>{}</b> setting{}seed <b>{}</b>{}<b>{:.1f} s</b> compute{}nnlab <b>{}</b>{}{}</p>\n",
      all_good ? "pass" : "fail", claims_passed, claims, sep, records.size(),
      records.size() == 1 ? "" : "s", errors ? fmt::format(" ({} failed)", errors) : "", sep,
      html_escape(settings.empty() ? "—" : settings), sep, html_escape(seeds.empty() ? "—" : seeds),
      sep, seconds, sep, html_escape(versions.empty() ? "—" : versions), sep,
      html_escape(when.empty() ? "—" : when));
  out += "</header>\n";

  out += "<nav class=\"toc\" id=\"contents\">\n<h2>Contents</h2>\n<ol>\n";
  for (std::size_t i = 0; i < records.size();) {
    std::size_t j = i;
    while (j < records.size() && records[j].sheet == records[i].sheet) ++j;
    out += "<li class=\"group\"><span class=\"sheet\">" + html_escape(records[i].sheet) +
           "</span><div>\n";
    for (; i < j; ++i) {
      const RunRecord& r = records[i];
      out += fmt::format("<div class=\"entry\"><a href=\"#{}\">{}</a> {}</div>\n", anchor(r),
                         html_escape(r.question), badge(r));
      if (r.result.parts.empty()) continue;
      out += "<ol class=\"parts\">\n";
      for (const auto& p : r.result.parts)
        out += fmt::format("<li><a href=\"#{}\">({})</a> {}</li>\n", part_anchor(r, p.id),
                           html_escape(p.id), markup_to_html(p.question, true));
      out += "</ol>\n";
    }
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
