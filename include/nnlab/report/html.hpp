// report/index.html: one self-contained page (inline CSS and SVG, no scripts, no network).
// Run summary, a table of contents grouped by sheet question with PASS/FAIL badges, then per
// lab: the question, the short answer, the claims with their numbers, tables, figures,
// parameters and a link to results/<lab>.json.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/report/result_json.hpp"

namespace nnlab::report {

// &, <, >, " and ' as entities: safe in text and in attribute values.
std::string html_escape(std::string_view text);

// About 4 significant digits for reading, e.g. 0.0001234 -> "1.234×10<sup>−4</sup>",
// 1234.567 -> "1235", NaN -> "NaN", ∞ -> "∞". Returns HTML.
std::string format_number(double value);

// The page for `records` (in display order). SVGs are read from
// results_dir/<lab>/<figure>.svg when present; links are relative to report_dir.
std::string render_html(const std::vector<RunRecord>& records,
                        const std::filesystem::path& results_dir,
                        const std::filesystem::path& report_dir);

}  // namespace nnlab::report
