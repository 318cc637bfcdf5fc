// The standards a lab's Result must meet to be studied from (issue 12), checked by the tests for
// every registered lab: sections that follow the sheet, self-explaining claims, figures that
// say what they show, and text that cannot contradict its data.
#pragma once
#include <string>
#include <vector>

#include "nnlab/experiment/result.hpp"

namespace nnlab::report {

// Problems, one sentence each; empty = the result meets the standards:
//  - at least one Part; part ids unique, each with a question and an answer;
//  - a notation box;
//  - every claim names its part (one of the lab's), its quantity, its measured value and test;
//  - every figure and table names its part; ids unique; every part has some evidence;
//  - every axis has a label (a log axis gets "(log scale)" and end ticks from the plot);
//  - every text parses as markup (report/markup.hpp);
//  - every sentence of an answer or caption that states a direction or a size ("falls",
//    "grows", "stays", "about", "larger", …) carries a number (the measured value that backs
//    it), or names the claim that checks it ("claim 3") or the part that shows it ("(c)").
std::vector<std::string> lint(const experiment::Result& result);

}  // namespace nnlab::report
