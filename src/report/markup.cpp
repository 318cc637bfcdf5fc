// TeX subset → a small tree → MathML or Unicode text. One parser, two printers, so the page and
// the terminal can never disagree about what a formula says.
#include "nnlab/report/markup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/report/html.hpp"

namespace nnlab::report {
namespace {

struct Node {
  enum Kind { row, ident, number, op, text, frac, sqrt, script, accent, space, table } kind;
  std::string value;     // leaves: the characters; accent: the accent; space: the width
  bool upright = false;  // ident: a name set upright (\mathrm, functions, \mathbb)
  bool large = false;    // op: ∑ or ∏, whose scripts go under and over in display
  std::vector<Node> kids;  // row: items; frac: num, den; sqrt: arg; script: base, sub, sup
                           // (an empty row = none); accent: base; table: rows of rows of cells
};

Node leaf(Node::Kind kind, std::string value) { return Node{kind, std::move(value), false, false, {}}; }
Node group(std::vector<Node> kids) { return Node{Node::row, {}, false, false, std::move(kids)}; }

const std::map<std::string_view, std::string_view>& greek() {
  static const std::map<std::string_view, std::string_view> m{
      {"alpha", "α"}, {"beta", "β"}, {"gamma", "γ"}, {"delta", "δ"}, {"epsilon", "ϵ"},
      {"varepsilon", "ε"}, {"zeta", "ζ"}, {"eta", "η"}, {"theta", "θ"}, {"vartheta", "ϑ"},
      {"iota", "ι"}, {"kappa", "κ"}, {"lambda", "λ"}, {"mu", "μ"}, {"nu", "ν"}, {"xi", "ξ"},
      {"pi", "π"}, {"rho", "ρ"}, {"sigma", "σ"}, {"tau", "τ"}, {"upsilon", "υ"}, {"phi", "ϕ"},
      {"varphi", "φ"}, {"chi", "χ"}, {"psi", "ψ"}, {"omega", "ω"}, {"Gamma", "Γ"},
      {"Delta", "Δ"}, {"Theta", "Θ"}, {"Lambda", "Λ"}, {"Xi", "Ξ"}, {"Pi", "Π"},
      {"Sigma", "Σ"}, {"Phi", "Φ"}, {"Psi", "Ψ"}, {"Omega", "Ω"}, {"ell", "ℓ"},
      {"infty", "∞"}, {"partial", "∂"}, {"nabla", "∇"}, {"top", "⊤"}, {"emptyset", "∅"}};
  return m;
}

const std::map<std::string_view, std::string_view>& operators() {
  static const std::map<std::string_view, std::string_view> m{
      {"le", "≤"}, {"leq", "≤"}, {"ge", "≥"}, {"geq", "≥"}, {"ne", "≠"}, {"neq", "≠"},
      {"approx", "≈"}, {"sim", "∼"}, {"equiv", "≡"}, {"propto", "∝"}, {"ll", "≪"}, {"gg", "≫"},
      {"cdot", "·"}, {"times", "×"}, {"pm", "±"}, {"mp", "∓"}, {"circ", "∘"}, {"odot", "⊙"},
      {"otimes", "⊗"}, {"ast", "∗"}, {"to", "→"}, {"rightarrow", "→"}, {"leftarrow", "←"},
      {"Rightarrow", "⇒"}, {"Longrightarrow", "⟹"}, {"iff", "⇔"}, {"Leftrightarrow", "⇔"}, {"mapsto", "↦"}, {"in", "∈"}, {"notin", "∉"},
      {"subset", "⊂"}, {"succ", "≻"}, {"succeq", "⪰"}, {"preceq", "⪯"}, {"cup", "∪"}, {"cap", "∩"}, {"setminus", "∖"}, {"forall", "∀"},
      {"exists", "∃"}, {"mid", "∣"}, {"ldots", "…"}, {"cdots", "⋯"}, {"dots", "…"},
      {"|", "‖"}, {"lVert", "‖"}, {"rVert", "‖"}, {"langle", "⟨"}, {"rangle", "⟩"},
      {"{", "{"}, {"}", "}"}, {"lfloor", "⌊"}, {"rfloor", "⌋"}, {"prime", "′"}, {"$", "$"},
      {"%", "%"}, {"#", "#"}, {"_", "_"}};
  return m;
}

// Names set upright as functions; \argmin and \argmax stand for arg min and arg max.
const std::map<std::string_view, std::string_view>& functions() {
  static const std::map<std::string_view, std::string_view> m{
      {"log", "log"}, {"ln", "ln"}, {"exp", "exp"}, {"min", "min"}, {"max", "max"},
      {"inf", "inf"}, {"sup", "sup"}, {"arg", "arg"}, {"argmin", "arg min"},
      {"argmax", "arg max"}, {"det", "det"}, {"sin", "sin"}, {"cos", "cos"}, {"tanh", "tanh"},
      {"lim", "lim"}, {"Var", "Var"}, {"Cov", "Cov"}, {"tr", "tr"}, {"diag", "diag"},
      {"sign", "sign"}, {"rank", "rank"}};
  return m;
}

std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6)), s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12)), s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18)), s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

// 𝔼, ℝ, …: MathML Core renders mathvariant only as "normal", so the styled letters are the
// Unicode mathematical alphanumerics.
std::string blackboard(char c) {
  switch (c) {
    case 'C': return "ℂ"; case 'N': return "ℕ"; case 'P': return "ℙ"; case 'Q': return "ℚ";
    case 'R': return "ℝ"; case 'Z': return "ℤ"; case 'H': return "ℍ";
    default: break;
  }
  require(c >= 'A' && c <= 'Z', "math: \\mathbb takes capital letters, not '{}'", c);
  return utf8(U'𝔸' + char32_t(c - 'A'));
}

// Script capitals: most in the mathematical alphanumerics, eight in Letterlike Symbols.
std::string calligraphic(char c) {
  require(c >= 'A' && c <= 'Z', "math: \\mathcal takes capital letters, not '{}'", c);
  static const std::map<char, char32_t> letterlike{{'B', U'ℬ'}, {'E', U'ℰ'}, {'F', U'ℱ'},
                                                   {'H', U'ℋ'}, {'I', U'ℐ'}, {'L', U'ℒ'},
                                                   {'M', U'ℳ'}, {'R', U'ℛ'}};
  if (const auto it = letterlike.find(c); it != letterlike.end()) return utf8(it->second);
  return utf8(U'𝒜' + char32_t(c - 'A'));
}

std::string bold(char c) {
  char32_t cp;
  if (c >= 'A' && c <= 'Z') cp = U'𝐀' + char32_t(c - 'A');
  else if (c >= 'a' && c <= 'z') cp = U'𝐚' + char32_t(c - 'a');
  else if (c >= '0' && c <= '9') cp = U'𝟎' + char32_t(c - '0');
  else fail("math: \\mathbf takes letters and digits, not '{}'", c);
  return utf8(cp);
}

// Non-ASCII characters that are operators rather than letters.
bool is_operator(std::string_view ch) {
  static constexpr std::string_view ops[] = {
      "−", "±", "∓", "×", "·", "÷", "≤", "≥", "≠", "≈", "∼", "≡", "∝", "≪", "≫", "→", "←", "⇒", "⟹",
      "⇔", "↦", "∈", "∉", "⊂", "≻", "⪰", "⪯", "∪", "∩", "∀", "∃", "∣", "…", "⋯", "‖", "⟨", "⟩", "∘", "⊙", "⊗",
      "′", "∑", "∏", "∫", "√", "⌊", "⌋"};
  return std::find(std::begin(ops), std::end(ops), ch) != std::end(ops);
}

class Parser {
 public:
  explicit Parser(std::string_view tex) : s_(tex) {}

  Node parse() {
    std::vector<std::vector<Node>> rows(1);
    bool table = false;
    for (;;) {
      rows.back().push_back(parse_row(/*in_group=*/false));
      if (at_end()) break;
      if (s_.substr(i_, 2) == "\\\\") i_ += 2, rows.emplace_back(), table = true;
      else if (s_[i_] == '&') ++i_, table = true;
      else fail("math: unexpected '{}' at {} in '{}'", s_[i_], i_, s_);
    }
    if (!table) return std::move(rows[0][0]);
    Node t{Node::table, {}, false, false, {}};
    for (auto& cells : rows) t.kids.push_back(group(std::move(cells)));
    return t;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }

  // Items until the end, a closing brace (in a group), or a row/column break (at top level).
  Node parse_row(bool in_group) {
    std::vector<Node> items;
    for (;;) {
      skip_spaces();
      if (at_end()) {
        require(!in_group, "math: missing '}}' in '{}'", s_);
        break;
      }
      const char c = s_[i_];
      if (c == '}') {
        require(in_group, "math: unmatched '}}' at {} in '{}'", i_, s_);
        ++i_;
        break;
      }
      if (!in_group && (c == '&' || s_.substr(i_, 2) == "\\\\")) break;
      if (c == '^' || c == '_') {
        ++i_;
        if (items.empty()) items.push_back(group({}));
        attach(items.back(), c == '_', parse_argument());
        continue;
      }
      items.push_back(parse_atom());
    }
    return group(std::move(items));
  }

  void attach(Node& base, bool sub, Node arg) {
    if (base.kind != Node::script) {
      Node s{Node::script, {}, false, false, {std::move(base), group({}), group({})}};
      base = std::move(s);
    }
    Node& slot = base.kids[sub ? 1 : 2];
    require(slot.kids.empty() && slot.kind == Node::row, "math: double {} in '{}'",
            sub ? "subscript" : "superscript", s_);
    slot = group({std::move(arg)});
  }

  void skip_spaces() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t')) ++i_;
  }

  // One code point as a string.
  std::string_view code_point() {
    const auto lead = static_cast<unsigned char>(s_[i_]);
    const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    require(i_ + n <= s_.size(), "math: broken UTF-8 in '{}'", s_);
    const auto cp = s_.substr(i_, n);
    i_ += n;
    return cp;
  }

  // The argument of ^, _ or a command: a group or a single atom.
  Node parse_argument() {
    skip_spaces();
    require(!at_end(), "math: missing argument at the end of '{}'", s_);
    if (s_[i_] == '{') return ++i_, parse_row(true);
    return parse_atom();
  }

  // The raw text of a {…} argument, or of one letter (for \text, \mathrm, \mathbb, …).
  std::string raw_argument() {
    skip_spaces();
    require(!at_end(), "math: missing argument at the end of '{}'", s_);
    if (s_[i_] != '{') {
      require(std::isalnum(static_cast<unsigned char>(s_[i_])) != 0,
              "math: expected '{{' or a letter after a command in '{}'", s_);
      return std::string(1, s_[i_++]);
    }
    int depth = 0;
    const std::size_t start = ++i_;
    for (; !at_end(); ++i_) {
      if (s_[i_] == '{') ++depth;
      else if (s_[i_] == '}' && depth-- == 0) return std::string(s_.substr(start, i_++ - start));
    }
    fail("math: missing '}}' in '{}'", s_);
  }

  Node parse_atom() {
    const char c = s_[i_];
    if (c == '{') return ++i_, parse_row(true);
    if (c == '\\') return parse_command();
    if (c >= '0' && c <= '9') {
      const std::size_t start = i_;
      const auto digit = [&](std::size_t k) { return k < s_.size() && s_[k] >= '0' && s_[k] <= '9'; };
      while (digit(i_) || (s_[i_] == '.' && digit(i_ + 1))) ++i_;
      // An exponent as fmt writes it, 1.8e-05: one number, shown as 1.8×10⁻⁵.
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        const std::size_t sign = i_ + 1 < s_.size() && (s_[i_ + 1] == '-' || s_[i_ + 1] == '+');
        if (digit(i_ + 1 + sign)) {
          i_ += 1 + sign;
          while (digit(i_)) ++i_;
        }
      }
      return leaf(Node::number, std::string(s_.substr(start, i_ - start)));
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return ++i_, leaf(Node::ident, std::string(1, c));
    if (c == '~') return ++i_, leaf(Node::space, "0.3em");
    if (c == '-') return ++i_, leaf(Node::op, "−");
    if (c == '\'') return ++i_, leaf(Node::op, "′");
    if (std::string_view("+=<>()[],;:!/|*.?").find(c) != std::string_view::npos)
      return ++i_, leaf(Node::op, std::string(1, c));
    require(static_cast<unsigned char>(c) >= 0x80, "math: unexpected '{}' in '{}'", c, s_);
    const std::string ch(code_point());
    if (ch == "∑" || ch == "∏" || ch == "∫") {
      Node n = leaf(Node::op, ch);
      n.large = true;
      return n;
    }
    return leaf(is_operator(ch) ? Node::op : Node::ident, ch);
  }

  Node parse_command() {
    ++i_;  // the backslash
    require(!at_end(), "math: a lone backslash ends '{}'", s_);
    std::size_t start = i_;
    if (std::isalpha(static_cast<unsigned char>(s_[i_])))
      while (!at_end() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    else
      ++i_;
    const std::string name(s_.substr(start, i_ - start));

    if (const auto g = greek().find(name); g != greek().end()) {
      Node n = leaf(Node::ident, std::string(g->second));
      n.upright = std::isupper(static_cast<unsigned char>(name[0])) != 0;  // capital Greek upright
      return n;
    }
    if (const auto o = operators().find(name); o != operators().end())
      return leaf(Node::op, std::string(o->second));
    if (const auto f = functions().find(name); f != functions().end()) {
      Node n = leaf(Node::ident, std::string(f->second));
      n.upright = true;
      return n;
    }
    if (name == "sum" || name == "prod" || name == "int") {
      Node n = leaf(Node::op, name == "sum" ? "∑" : name == "prod" ? "∏" : "∫");
      n.large = true;
      return n;
    }
    if (name == "frac" || name == "tfrac" || name == "dfrac") {
      Node num = parse_argument();
      Node den = parse_argument();
      return Node{Node::frac, {}, false, false, {std::move(num), std::move(den)}};
    }
    if (name == "sqrt") return Node{Node::sqrt, {}, false, false, {parse_argument()}};
    static const std::map<std::string_view, std::string_view> accents{
        {"hat", "ˆ"}, {"widehat", "ˆ"}, {"tilde", "˜"}, {"widetilde", "˜"}, {"bar", "―"},
        {"overline", "―"}, {"vec", "→"}, {"dot", "˙"}};
    if (const auto a = accents.find(name); a != accents.end())
      return Node{Node::accent, std::string(a->second), false, false, {parse_argument()}};
    if (name == "mathbb" || name == "mathbf" || name == "mathcal") {
      const std::string arg = raw_argument();
      std::vector<Node> letters;
      for (char ch : arg) {
        if (ch == ' ') continue;
        // Styled letters carry their style; no mathvariant needed.
        letters.push_back(leaf(Node::ident, name == "mathbb"   ? blackboard(ch)
                                            : name == "mathbf" ? bold(ch)
                                                               : calligraphic(ch)));
      }
      require(!letters.empty(), "math: empty \\{} in '{}'", name, s_);
      return letters.size() == 1 ? std::move(letters[0]) : group(std::move(letters));
    }
    if (name == "mathrm" || name == "operatorname") {
      Node n = leaf(Node::ident, raw_argument());
      n.upright = true;
      return n;
    }
    if (name == "text") return leaf(Node::text, raw_argument());
    if (name == "left" || name == "right" || name == "big" || name == "Big" || name == "bigl" ||
        name == "bigr") {
      skip_spaces();
      require(!at_end(), "math: \\{} needs a delimiter in '{}'", name, s_);
      if (s_[i_] == '.') return ++i_, group({});
      return parse_atom();
    }
    if (name == "quad") return leaf(Node::space, "1em");
    if (name == "qquad") return leaf(Node::space, "2em");
    if (name == "," || name == ":" || name == ";" || name == " ") return leaf(Node::space, "0.25em");
    if (name == "!") return group({});
    fail("math: unknown command \\{} in '{}'", name, s_);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// "1.8e-05" → ("1.8", "−5"); no exponent → (value, "").
std::pair<std::string, std::string> mantissa_exponent(const std::string& number) {
  const auto e = number.find_first_of("eE");
  if (e == std::string::npos) return {number, ""};
  int exponent = std::stoi(number.substr(e + 1));
  return {number.substr(0, e), (exponent < 0 ? "−" : "") + std::to_string(std::abs(exponent))};
}

// ---------------------------------------------------------------- MathML
bool single_code_point(const std::string& s) {
  return !s.empty() && std::count_if(s.begin(), s.end(), [](char c) {
                         return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                       }) == 1;
}

void mathml(const Node& n, std::string& out, bool display) {
  switch (n.kind) {
    case Node::row:
      if (n.kids.size() == 1) return mathml(n.kids[0], out, display);
      out += "<mrow>";
      for (const Node& k : n.kids) mathml(k, out, display);
      out += "</mrow>";
      return;
    case Node::ident:
      // A one-letter <mi> is italic by default; a name of several letters is upright already.
      out += n.upright && single_code_point(n.value) ? "<mi mathvariant=\"normal\">" : "<mi>";
      out += html_escape(n.value) + "</mi>";
      return;
    case Node::number: {
      const auto [mantissa, exponent] = mantissa_exponent(n.value);
      if (exponent.empty()) out += "<mn>" + mantissa + "</mn>";
      else out += "<mrow><mn>" + mantissa + "</mn><mo>×</mo><msup><mn>10</mn><mn>" + exponent + "</mn></msup></mrow>";
      return;
    }
    case Node::op: out += "<mo>" + html_escape(n.value) + "</mo>"; return;
    case Node::text: out += "<mtext>" + html_escape(n.value) + "</mtext>"; return;
    case Node::space: out += "<mspace width=\"" + n.value + "\"/>"; return;
    case Node::frac:
      out += "<mfrac>";
      mathml(n.kids[0], out, display), mathml(n.kids[1], out, display);
      out += "</mfrac>";
      return;
    case Node::sqrt:
      out += "<msqrt>";
      mathml(n.kids[0], out, display);
      out += "</msqrt>";
      return;
    case Node::accent:
      // A bar set as an accent sits on the letter and vanishes at text size; over it, it reads.
      out += n.value == "―" ? "<mover>" : "<mover accent=\"true\">";
      mathml(n.kids[0], out, display);
      out += "<mo>" + html_escape(n.value) + "</mo></mover>";
      return;
    case Node::script: {
      const bool sub = !n.kids[1].kids.empty(), sup = !n.kids[2].kids.empty();
      const bool limits = display && n.kids[0].kind == Node::op && n.kids[0].large;
      const char* tag = sub && sup ? (limits ? "munderover" : "msubsup")
                        : sub      ? (limits ? "munder" : "msub")
                                   : (limits ? "mover" : "msup");
      out += fmt::format("<{}>", tag);
      mathml(n.kids[0], out, display);
      if (sub) mathml(n.kids[1], out, display);
      if (sup) mathml(n.kids[2], out, display);
      out += fmt::format("</{}>", tag);
      return;
    }
    case Node::table:
      out += "<mtable>";
      for (const Node& row : n.kids) {
        out += "<mtr>";
        for (std::size_t c = 0; c < row.kids.size(); ++c) {
          // Aligned blocks alternate right- and left-aligned columns around the relations.
          out += c % 2 == 0 ? "<mtd style=\"text-align:right\">" : "<mtd style=\"text-align:left\">";
          mathml(row.kids[c], out, display);
          out += "</mtd>";
        }
        out += "</mtr>";
      }
      out += "</mtable>";
      return;
  }
}

// ---------------------------------------------------------------- Unicode text
// Unicode sub- and superscript forms of whole strings, if every character has one.
std::string scripted(const std::string& s, bool sub) {
  static const std::map<std::string, std::string> subs{
      {"0", "₀"}, {"1", "₁"}, {"2", "₂"}, {"3", "₃"}, {"4", "₄"}, {"5", "₅"}, {"6", "₆"},
      {"7", "₇"}, {"8", "₈"}, {"9", "₉"}, {"+", "₊"}, {"−", "₋"}, {"=", "₌"}, {"(", "₍"},
      {")", "₎"}, {"a", "ₐ"}, {"e", "ₑ"}, {"h", "ₕ"}, {"i", "ᵢ"}, {"j", "ⱼ"}, {"k", "ₖ"},
      {"l", "ₗ"}, {"m", "ₘ"}, {"n", "ₙ"}, {"o", "ₒ"}, {"p", "ₚ"}, {"r", "ᵣ"}, {"s", "ₛ"},
      {"t", "ₜ"}, {"u", "ᵤ"}, {"v", "ᵥ"}, {"x", "ₓ"}};
  static const std::map<std::string, std::string> sups{
      {"0", "⁰"}, {"1", "¹"}, {"2", "²"}, {"3", "³"}, {"4", "⁴"}, {"5", "⁵"}, {"6", "⁶"},
      {"7", "⁷"}, {"8", "⁸"}, {"9", "⁹"}, {"+", "⁺"}, {"−", "⁻"}, {"=", "⁼"}, {"(", "⁽"},
      {")", "⁾"}, {"n", "ⁿ"}, {"i", "ⁱ"}, {"T", "ᵀ"}, {"⊤", "ᵀ"}, {"k", "ᵏ"}, {"m", "ᵐ"},
      {"t", "ᵗ"}, {"p", "ᵖ"}, {"∗", "*"}, {"*", "*"}, {"′", "′"}};
  const auto& table = sub ? subs : sups;
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const auto it = table.find(s.substr(i, n));
    if (it == table.end()) return {};
    out += it->second;
    i += n;
  }
  return out;
}

bool is_relation(const std::string& op) {
  static constexpr std::string_view rel[] = {"=", "<", ">", "≤", "≥", "≠", "≈", "∼", "≡", "∝", "≪",
                                             "≫", "→", "←", "⇒", "⟹", "⇔", "↦", "∈", "∉", "⊂", "≻", "⪰",
                                             "⪯"};
  return std::find(std::begin(rel), std::end(rel), op) != std::end(rel);
}

std::string text(const Node& n);

// A sub-formula that needs parentheses when it stands as a numerator, a root or a script.
std::string wrapped(const Node& n) {
  const std::string t = text(n);
  const bool simple = n.kind != Node::row || n.kids.size() <= 1;
  return simple ? t : "(" + t + ")";
}

std::string text(const Node& n) {
  switch (n.kind) {
    case Node::row: {
      std::string out;
      for (std::size_t k = 0; k < n.kids.size(); ++k) {
        const Node& item = n.kids[k];
        const bool binary = item.kind == Node::op && (item.value == "+" || item.value == "−" ||
                                                      item.value == "±" || item.value == "·") &&
                            k > 0 && !(n.kids[k - 1].kind == Node::op &&
                                       (is_relation(n.kids[k - 1].value) ||
                                        n.kids[k - 1].value == "(" || n.kids[k - 1].value == "["));
        if (item.kind == Node::op && (is_relation(item.value) || binary)) {
          out += " " + item.value + " ";
        } else if (item.kind == Node::op && item.value == ",") {
          out += ", ";
        } else {
          out += text(item);
        }
      }
      // A relation's trailing space may double with the next item's leading one.
      std::string tidy;
      for (char c : out)
        if (!(c == ' ' && !tidy.empty() && tidy.back() == ' ')) tidy += c;
      return tidy;
    }
    case Node::number: {
      const auto [mantissa, exponent] = mantissa_exponent(n.value);
      return exponent.empty() ? mantissa : mantissa + "×10" + scripted(exponent, false);
    }
    case Node::ident:
    case Node::op:
    case Node::text: return n.value;
    case Node::space: return " ";
    case Node::frac: {
      // Parenthesized when compound, so that "\frac{1-p}{p}\Gamma" reads ((1 − p)/p)Γ.
      const std::string f = wrapped(n.kids[0]) + "/" + wrapped(n.kids[1]);
      return f.find_first_of("( ") == std::string::npos ? f : "(" + f + ")";
    }
    case Node::sqrt: return "√" + wrapped(n.kids[0]);
    case Node::accent: {
      static const std::map<std::string, std::string> combining{
          {"ˆ", "\u0302"}, {"˜", "\u0303"}, {"―", "\u0304"}, {"→", "\u20D7"}, {"˙", "\u0307"}};
      const std::string base = text(n.kids[0]);
      return n.kids[0].kind == Node::ident ? base + combining.at(n.value) : "(" + base + ")" + combining.at(n.value);
    }
    case Node::script: {
      std::string out = text(n.kids[0]);
      for (int slot : {1, 2}) {
        if (n.kids[slot].kids.empty()) continue;
        const std::string inner = text(n.kids[slot]);
        const std::string pretty = scripted(inner, slot == 1);
        if (!pretty.empty()) out += pretty;
        else if (std::all_of(inner.begin(), inner.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
          out += (slot == 1 ? "_" : "^") + inner;
        else
          out += (slot == 1 ? "_(" : "^(") + inner + ")";
      }
      return out;
    }
    case Node::table: {
      std::string out;
      for (const Node& row : n.kids) {
        if (!out.empty()) out += "\n";
        for (const Node& cell : row.kids) out += text(cell);
      }
      return out;
    }
  }
  return {};
}

// Splits text into (is_math, display, piece) runs; throws on an unbalanced dollar.
struct Run {
  bool math, display;
  std::string piece;
};

std::vector<Run> runs(std::string_view s) {
  std::vector<Run> out;
  std::string plain;
  for (std::size_t i = 0; i < s.size();) {
    if (s.substr(i, 2) == "\\$") {
      plain += '$', i += 2;
      continue;
    }
    if (s[i] != '$') {
      plain += s[i++];
      continue;
    }
    const bool display = s.substr(i, 2) == "$$";
    const std::string_view close = display ? "$$" : "$";
    std::size_t end = i + close.size();
    // The closing dollar(s), skipping escaped ones inside the formula.
    while (end < s.size() && !(s.substr(end, close.size()) == close && s[end - 1] != '\\')) ++end;
    require(end < s.size(), "text: unbalanced '{}' in '{}'", close, s);
    if (!plain.empty()) out.push_back({false, false, std::move(plain)}), plain.clear();
    out.push_back({true, display, std::string(s.substr(i + close.size(), end - i - close.size()))});
    i = end + close.size();
  }
  if (!plain.empty()) out.push_back({false, false, std::move(plain)});
  return out;
}

std::vector<std::string_view> paragraphs(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    const auto para = text.substr(start, end - start);
    if (para.find_first_not_of(" \n\t") != std::string_view::npos) out.push_back(para);
    start = end + 2;
  }
  return out;
}

}  // namespace

std::string tex_to_mathml(std::string_view tex, bool display) {
  std::string out = display ? "<math display=\"block\">" : "<math>";
  mathml(Parser(tex).parse(), out, display);
  return out + "</math>";
}

std::string tex_to_text(std::string_view tex) {
  std::string t = text(Parser(tex).parse());
  // A formula that starts or ends with a relation ("$= p$") gets its spacing from the text.
  const auto first = t.find_first_not_of(' '), last = t.find_last_not_of(' ');
  return first == std::string::npos ? std::string() : t.substr(first, last - first + 1);
}

std::string markup_to_html(std::string_view text, bool inline_only) {
  std::string out;
  for (const auto para : paragraphs(text)) {
    std::string html;
    for (const Run& r : runs(para))
      html += r.math ? tex_to_mathml(r.piece, r.display) : html_escape(r.piece);
    out += inline_only ? html : "<p>" + html + "</p>\n";
  }
  return out;
}

std::string markup_to_text(std::string_view text) {
  std::string out;
  for (const auto para : paragraphs(text)) {
    if (!out.empty()) out += "\n\n";
    bool after_display = false;
    for (const Run& r : runs(para)) {
      if (!r.math) {
        // Text after a displayed formula starts its own line.
        out += after_display ? r.piece.substr(std::min(r.piece.find_first_not_of(' '), r.piece.size()))
                             : r.piece;
        after_display = false;
        continue;
      }
      after_display = r.display;
      std::string formula = tex_to_text(r.piece);
      if (!r.display) {
        out += formula;
        continue;
      }
      // Displayed: its own lines, indented.
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += "\n";
      std::size_t start = 0;
      for (;;) {
        const auto end = formula.find('\n', start);
        out += "    " + formula.substr(start, end - start) + "\n";
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  }
  return out;
}

void check_markup(std::string_view text) {
  for (const auto para : paragraphs(text))
    for (const Run& r : runs(para))
      if (r.math) (void)Parser(r.piece).parse();
}

}  // namespace nnlab::report
