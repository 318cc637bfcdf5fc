#include "nnlab/core/file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "nnlab/core/error.hpp"

namespace nnlab {

std::string read_file(const std::filesystem::path& path) {
  // A folder opens like a file on Linux, and tellg at its end is a huge bogus size.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail_file("cannot read '{}': it is a folder, not a file", path.string());
  std::ifstream in(path, std::ios::binary | std::ios::ate);  // opened at the end: tellg is the size
  if (!in) fail_file("cannot open '{}': {}", path.string(), std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) fail_file("cannot read '{}': not a regular file", path.string());
  std::string content(std::size_t(size), '\0');
  in.seekg(0);
  if (!in.read(content.data(), size)) fail_file("cannot read '{}'", path.string());
  return content;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) fail_file("cannot create folder '{}': {}", path.parent_path().string(), ec.message());
  }
  const auto tmp = std::filesystem::path(path.string() + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail_file("cannot write '{}': {}", path.string(), std::strerror(errno));
    out.write(content.data(), std::streamsize(content.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      fail_file("cannot write '{}' (disk full?)", path.string());
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail_file("cannot write '{}': {}", path.string(), ec.message());
  }
}

namespace {

// Points `link` at `target` atomically: a fresh symlink renamed over it.
void replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target) {
  const auto tmp = std::filesystem::path(link.string() + ".tmp" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  std::filesystem::create_symlink(target, tmp, ec);
  if (!ec) std::filesystem::rename(tmp, link, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail_file("cannot link '{}' to '{}': {}", link.string(), target.string(), ec.message());
  }
}

}  // namespace

void write_files_together(const std::filesystem::path& folder,
                          const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path current = folder / ".current";
  const std::string previous = fs::read_symlink(current, ec).string();
  constexpr std::string_view prefix = ".snapshot.";
  unsigned long long number = 0;
  if (previous.starts_with(prefix)) number = std::strtoull(previous.c_str() + prefix.size(), nullptr, 10) + 1;
  const std::string snapshot = std::string(prefix) + std::to_string(number);
  fs::remove_all(folder / snapshot, ec);  // left by a crash before its switch: never current
  for (const auto& [name, content] : files) write_file_atomic(folder / snapshot / name, content);

  replace_symlink(current, snapshot);  // the commit: from here on every name shows this call
  for (const auto& [name, content] : files)
    if (fs::read_symlink(folder / name, ec) != fs::path(".current") / name)
      replace_symlink(folder / name, fs::path(".current") / name);
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name != snapshot) stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path, ec);
}

}  // namespace nnlab
