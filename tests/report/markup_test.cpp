// The markup of lab texts: TeX between dollars to MathML for the page and to Unicode for the
// terminal, and clear errors for what it cannot read.
#include "nnlab/report/markup.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nnlab/core/error.hpp"

namespace nnlab::report {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string error_of(const std::string& text) {
  try {
    check_markup(text);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

TEST(Markup, TexBecomesMathMl) {
  const std::string m = tex_to_mathml("\\mathbb{E}[R_{ij}] = p", false);
  EXPECT_TRUE(contains(m, "<math>")) << m;
  EXPECT_TRUE(contains(m, "<mi>𝔼</mi>")) << m;
  EXPECT_TRUE(contains(m, "<msub><mi>R</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub>")) << m;
  EXPECT_TRUE(contains(m, "<mo>=</mo><mi>p</mi>")) << m;
  const std::string f = tex_to_mathml("w^* = \\frac{1-p}{p}\\Gamma_{jj}", true);
  EXPECT_TRUE(contains(f, "<math display=\"block\">")) << f;
  EXPECT_TRUE(contains(f, "<mfrac><mrow><mn>1</mn><mo>−</mo><mi>p</mi></mrow><mi>p</mi></mfrac>")) << f;
  EXPECT_TRUE(contains(f, "<mi mathvariant=\"normal\">Γ</mi>")) << f;  // capital Greek upright
  // Display sums take their limits below and above; inline ones as scripts.
  EXPECT_TRUE(contains(tex_to_mathml("\\sum_{i=1}^m x_i", true), "<munderover><mo>∑</mo>"));
  EXPECT_TRUE(contains(tex_to_mathml("\\sum_{i=1}^m x_i", false), "<msubsup><mo>∑</mo>"));
  // Aligned rows and an exponent from fmt.
  EXPECT_TRUE(contains(tex_to_mathml("a &= b \\\\ c &= d", true), "<mtable><mtr>"));
  EXPECT_TRUE(contains(tex_to_mathml("1.8e-05", false),
                       "<mn>1.8</mn><mo>×</mo><msup><mn>10</mn><mn>−5</mn></msup>"));
  // Text is escaped.
  EXPECT_TRUE(contains(tex_to_mathml("\\text{a<b}", false), "<mtext>a&lt;b</mtext>"));
}

TEST(Markup, TexBecomesReadableUnicode) {
  EXPECT_EQ(tex_to_text("\\mathbb{E}[R_{ij}R_{ik}] = \\delta_{jk}p + (1-\\delta_{jk})p^2"),
            "𝔼[RᵢⱼRᵢₖ] = δⱼₖp + (1 − δⱼₖ)p²");
  EXPECT_EQ(tex_to_text("w^* = (pX^\\top X + (1-p)\\Gamma)^{-1}X^\\top y"),
            "w* = (pXᵀX + (1 − p)Γ)⁻¹Xᵀy");
  EXPECT_EQ(tex_to_text("\\lambda_j = \\frac{1-p}{p}\\Gamma_{jj}"), "λⱼ = ((1 − p)/p)Γⱼⱼ");
  EXPECT_EQ(tex_to_text("\\hat w_{\\text{OLS}}"), "w\u0302_OLS");  // a combining hat
  EXPECT_EQ(tex_to_text("= p"), "= p");  // no stray space from a leading relation
  EXPECT_EQ(tex_to_text("2.5e-07"), "2.5×10⁻⁷");
}

TEST(Markup, TextsKeepParagraphsAndEscapeHtml) {
  const std::string html = markup_to_html("First <b> & $x^2$.\n\nSecond: $$y = 1$$ and \\$5.");
  EXPECT_EQ(html.find("<p>First &lt;b&gt; &amp; <math>"), 0u) << html;
  EXPECT_TRUE(contains(html, "</p>\n<p>Second: <math display=\"block\">")) << html;
  EXPECT_TRUE(contains(html, "and $5.</p>")) << html;
  EXPECT_EQ(markup_to_html("one line $p$", true), "one line <math><mi>p</mi></math>");
  EXPECT_EQ(markup_to_text("Then $$a = b$$ so."), "Then\n    a = b\nso.");
}

TEST(Markup, ErrorsNameTheProblem) {
  EXPECT_EQ(error_of("fine $x_{i}$ text"), "");
  EXPECT_TRUE(contains(error_of("odd $x"), "unbalanced '$'"));
  EXPECT_TRUE(contains(error_of("$x_{i$"), "missing '}'"));
  EXPECT_TRUE(contains(error_of("$x}$"), "unmatched '}'"));
  EXPECT_TRUE(contains(error_of("$\\nosuch{x}$"), "unknown command \\nosuch"));
  EXPECT_TRUE(contains(error_of("$x_1_2$"), "double subscript"));
  EXPECT_TRUE(contains(error_of("$\\mathbb{e}$"), "capital letters"));
}

}  // namespace
}  // namespace nnlab::report
