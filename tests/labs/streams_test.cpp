// No lab addresses randomness by number: every stream of a lab comes from a named section
// (context.rng("…"), context.trials, context.sweep), so no offset scheme can collide.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

TEST(LabStreams, NoLabUsesANumericStreamOffset) {
  const auto labs_dir =
      std::filesystem::path(NNLAB_TEST_DATA).parent_path().parent_path() / "src" / "labs";
  // stream::<id> (the engine's numbered streams), make_rng(seed, id), or a numeric argument
  // to rng(…)/trials(…)/sweep(…).
  const std::regex numeric(R"(stream::|make_rng\s*\(|\b(rng|trials|sweep)\s*(<.*?>)?\s*\(\s*[0-9])");
  for (const char* old : {"Rng r = context.rng(stream::data);", "make_rng(seed, 10)",
                          "context.rng(500 + q)", "context.trials<std::vector<double>>(3, body)",
                          "context.sweep<double>( 2, 5, body)"})
    EXPECT_TRUE(std::regex_search(std::string(old), numeric)) << old;  // the scan would see it
  for (const char* fine : {"context.rng(\"design\")", "context.trials<double>(\"noise\", 30, body)",
                           "context.rng(name + \"/design\")"})
    EXPECT_FALSE(std::regex_search(std::string(fine), numeric)) << fine;
  const std::regex named(R"(context\.(rng|trials|sweep))");
  int files = 0, using_names = 0;
  for (const auto& entry : std::filesystem::directory_iterator(labs_dir)) {
    if (entry.path().extension() != ".cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    std::smatch match;
    EXPECT_FALSE(std::regex_search(source, match, numeric))
        << entry.path().filename() << " uses a numbered stream: '" << match.str() << "'";
    using_names += std::regex_search(source, named);
  }
  EXPECT_GE(files, 3);        // lab.cpp and at least the two labs
  EXPECT_GE(using_names, 2);  // the scan reads the files that draw random numbers
}

}  // namespace
