// The text a lab writes — answers, derivations, captions, claim statements — is plain text with
// math in TeX notation between dollars: "$\mathbb{E}[R_{ij}] = p$" inline, "$$ ... $$" displayed
// (rows separated by \\, alignment columns by &, as in an aligned block). The report turns the
// math into MathML, which browsers render natively, so the page stays one file with no script
// and no network; the terminal gets a Unicode rendering ("𝔼[R_ij] = p" → "E[Rᵢⱼ] = p").
// Paragraphs are separated by a blank line; "\$" is a literal dollar.
//
// The TeX subset: letters, digits, operators, {groups}, ^ and _, \frac, \sqrt, \hat, \tilde,
// \bar, \overline, \mathbb, \mathbf, \mathrm, \operatorname, \text, \left/\right, Greek
// letters, the usual relations and operators (\le, \approx, \cdot, \top, \|, …), \sum, \prod and \int
// with limits, function names (\log, \min, \operatorname*{arg\,min} is written \argmin), spaces.
// Anything else is an error: a typo in a lab's text fails its tests, not a reader's page.
#pragma once
#include <string>
#include <string_view>

namespace nnlab::report {

// One formula (without dollars) as a <math> element. Throws nnlab::Error naming the problem.
std::string tex_to_mathml(std::string_view tex, bool display);
// One formula as Unicode text for a terminal.
std::string tex_to_text(std::string_view tex);

// A whole text: paragraphs as <p>, text escaped, math as MathML. `inline_only` renders one
// paragraph without the <p> (for captions, table cells and claim statements).
std::string markup_to_html(std::string_view text, bool inline_only = false);
// A whole text for a terminal: math as Unicode, displayed formulas on their own indented lines.
std::string markup_to_text(std::string_view text);
// Throws nnlab::Error if some formula in the text does not parse or a dollar is unbalanced.
void check_markup(std::string_view text);

}  // namespace nnlab::report
