#include "nnlab/report/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "nnlab/core/error.hpp"
#include "nnlab/report/markup.hpp"

namespace nnlab::report {
namespace {

// Words that state a direction or a size; a sentence using one must show the number behind it.
const std::regex& direction_words() {
  static const std::regex words(
      R"(\b(falls?|falling|fell|rises?|rising|rose|grows?|growing|grew|shrinks?|shrinking|)"
      R"(increases?|increasing|decreases?|decreasing|drops?|dropping|stays?|remains?|)"
      R"(unchanged|about|roughly|approximately|nearly|larger|smaller|higher|lower|more|less|)"
      R"(helps?|hurts?|improves?|worse|better|matches|agrees?)\b)",
      std::regex::icase);
  return words;
}

// Sentences of a text, math included (a number inside a formula counts).
std::vector<std::string> sentences(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  bool math = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '$') math = !math;
    current += c;
    const bool end = !math && (c == '.' || c == '?' || c == '!' || c == ';') &&
                     (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n');
    if (end || (c == '\n' && i + 1 < text.size() && text[i + 1] == '\n')) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \n") != std::string::npos) out.push_back(std::move(current));
  return out;
}

bool has_number(const std::string& sentence) {
  static const std::regex number(R"(\d)");
  // "claim 3", or "(c)": the sub-question whose answer carries the numbers.
  static const std::regex reference(R"(\bclaims?\s+\d|\([a-z]\))", std::regex::icase);
  return std::regex_search(sentence, number) || std::regex_search(sentence, reference);
}

class Linter {
 public:
  explicit Linter(const experiment::Result& r) : r_(r) {}

  std::vector<std::string> run() {
    if (r_.parts.empty()) problem("the result declares no sheet sub-questions (parts)");
    if (r_.notation.empty()) problem("the result has no notation box");
    std::set<std::string> parts;
    for (const auto& p : r_.parts) {
      if (p.id.empty()) problem("a part has no id");
      if (!parts.insert(p.id).second) problem(fmt::format("part id '{}' is used twice", p.id));
      if (p.question.empty()) problem(fmt::format("part '{}' has no question", p.id));
      if (p.answer.empty()) problem(fmt::format("part '{}' has no answer", p.id));
      text(fmt::format("part '{}' question", p.id), p.question, false);
      text(fmt::format("part '{}' answer", p.id), p.answer, true);
      text(fmt::format("part '{}' derivation", p.id), p.derivation, false);
    }
    text("answer", r_.answer, true);
    for (const auto& s : r_.notation) {
      if (s.symbol.empty() || s.meaning.empty()) problem("a notation row lacks its symbol or meaning");
      text("notation symbol", "$" + s.symbol + "$", false);
      text("notation meaning", s.meaning, false);
      if (!s.sheet.empty()) text("notation sheet symbol", "$" + s.sheet + "$", false);
    }

    std::set<std::string> evidenced;
    for (std::size_t k = 0; k < r_.claims.size(); ++k) {
      const auto& c = r_.claims[k];
      const std::string name = fmt::format("claim {} ('{}')", k + 1, c.statement);
      belongs(name, c.part, parts, evidenced);
      if (c.quantity.empty()) problem(name + " does not name its quantity");
      if (c.measured.empty()) problem(name + " does not show its measured value");
      if (c.test.empty()) problem(name + " does not state its test");
      text(name, c.statement, false);
    }
    std::set<std::string> ids;
    for (const auto& f : r_.figures) {
      const std::string name = fmt::format("figure '{}'", f.id);
      if (!ids.insert("fig:" + f.id).second) problem(name + " id is used twice");
      belongs(name, f.part, parts, evidenced);
      if (f.x_label.empty() || f.y_label.empty()) problem(name + " has an unlabelled axis");
      if (f.field) {
        const experiment::Field& g = *f.field;
        if (g.z_label.empty()) problem(name + " has a field without a colour bar label");
        if (g.x.size() < 2 || g.y.size() < 2 || g.z.size() != g.x.size() * g.y.size())
          problem(fmt::format("{} has a field of {} values on a {} × {} grid", name, g.z.size(), g.x.size(), g.y.size()));
        if (f.log_x || f.log_y) problem(name + " has a field on a log axis");
      }
      if (f.caption.empty()) problem(name + " has no caption");
      text(name + " title", f.title, false);
      text(name + " caption", f.caption, true);
    }
    for (const auto& t : r_.tables) {
      const std::string name = fmt::format("table '{}'", t.id);
      if (!ids.insert("table:" + t.id).second) problem(name + " id is used twice");
      belongs(name, t.part, parts, evidenced);
      text(name + " title", t.title, false);
      text(name + " caption", t.caption, true);
    }
    for (const auto& p : r_.parts)
      if (!evidenced.contains(p.id))
        problem(fmt::format("part '{}' has no evidence (no claim, figure or table)", p.id));
    return std::move(problems_);
  }

 private:
  void problem(std::string what) { problems_.push_back(std::move(what)); }

  void belongs(const std::string& name, const std::string& part, const std::set<std::string>& parts,
               std::set<std::string>& evidenced) {
    if (part.empty()) return problem(name + " does not name the sub-question (part) it backs");
    if (!parts.contains(part)) return problem(fmt::format("{} names part '{}', which the result does not declare", name, part));
    evidenced.insert(part);
  }

  // Parses as markup; with `directions`, every direction-stating sentence has its number.
  void text(const std::string& name, const std::string& text, bool directions) {
    try {
      check_markup(text);
    } catch (const Error& e) {
      problem(fmt::format("{}: {}", name, e.what()));
    }
    if (!directions) return;
    for (const auto& sentence : sentences(text)) {
      std::smatch word;
      if (std::regex_search(sentence, word, direction_words()) && !has_number(sentence))
        problem(fmt::format("{}: \"{}\" states '{}' without the number behind it", name,
                            sentence.substr(sentence.find_first_not_of(" \n")), word.str()));
    }
  }

  const experiment::Result& r_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> lint(const experiment::Result& result) { return Linter(result).run(); }

}  // namespace nnlab::report
