#include "nnlab/core/file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "nnlab/core/error.hpp"

namespace nnlab {

std::string read_file(const std::filesystem::path& path) {
  // A folder opens like a file on Linux, and tellg at its end is a huge bogus size.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail("cannot read '{}': it is a folder, not a file", path.string());
  std::ifstream in(path, std::ios::binary | std::ios::ate);  // opened at the end: tellg is the size
  if (!in) fail("cannot open '{}': {}", path.string(), std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) fail("cannot read '{}': not a regular file", path.string());
  std::string content(std::size_t(size), '\0');
  in.seekg(0);
  if (!in.read(content.data(), size)) fail("cannot read '{}'", path.string());
  return content;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) fail("cannot create folder '{}': {}", path.parent_path().string(), ec.message());
  }
  const auto tmp = std::filesystem::path(path.string() + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write '{}': {}", path.string(), std::strerror(errno));
    out.write(content.data(), std::streamsize(content.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      fail("cannot write '{}' (disk full?)", path.string());
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail("cannot write '{}': {}", path.string(), ec.message());
  }
}

}  // namespace nnlab
