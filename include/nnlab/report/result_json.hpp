// JSON form of a lab's Result and of a run record, results/<lab>.json:
//   {format, lab, sheet, question, nnlab_version, seed, quick, params {name: "typed value"},
//    started, finished (UTC, ISO 8601), seconds, answer, parts, notation, tables, figures (with
//    data), claims, warnings, error}
// Doubles round-trip exactly; NaN and ±∞ (which JSON lacks) are written as the strings
// "nan", "inf", "-inf".
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "nnlab/experiment/result.hpp"

namespace nnlab::report {

using Json = nlohmann::ordered_json;  // keeps the field order above, so files read top-down

// The layout of the record; a record of another format is refused with a message naming both.
inline constexpr int result_format = 2;

// One lab run: what was run, how, when, and what came out.
struct RunRecord {
  std::string lab, sheet, question;
  std::string nnlab_version;
  std::uint64_t seed = 1;
  bool quick = false;
  std::vector<std::pair<std::string, std::string>> params;  // Params::items(), spec order
  std::string started, finished;  // "2025-01-31T12:00:00Z"
  double seconds = 0;
  experiment::Result result;
  std::vector<std::string> warnings;  // e.g. a figure gnuplot could not draw
  std::string error;                  // non-empty: the lab threw this; result is empty
};

Json to_json(const experiment::Result& result);
// Throws Error saying which field is missing or mistyped.
experiment::Result result_from_json(const Json& json);

Json to_json(const RunRecord& record);
RunRecord record_from_json(const Json& json);

// results/<lab>.json, written atomically.
void write_record(const RunRecord& record, const std::filesystem::path& path);
// Throws Error naming the file if it cannot be read, is not valid JSON, lacks a field, or
// (when expected_lab is non-empty) records another lab.
RunRecord read_record(const std::filesystem::path& path, std::string_view expected_lab = {});

// Current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_timestamp();

}  // namespace nnlab::report
