// gzip through zlib's inflate with windowBits 16 + 15 (gzip wrapper only, 32 KiB window).
#include "nnlab/data/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

#include "nnlab/core/error.hpp"

namespace nnlab::data {

namespace {

constexpr int gzip_window_bits = 16 + MAX_WBITS;
// Output pieces of 256 KiB stay in L2 while the sink converts them.
constexpr std::size_t chunk_size = std::size_t(1) << 18;

// The whole file in one sized read (a stringstream copy costs twice as much on a 26 MB file).
std::string read_bytes(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) fail("cannot open '{}': {}", path.string(), std::strerror(errno));
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail("cannot read '{}': {}", path.string(), ec.message());
  std::string bytes(size, '\0');
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  if (got != bytes.size() || std::ferror(file.get()))
    fail("cannot read '{}': got {} of {} bytes", path.string(), got, bytes.size());
  return bytes;
}

struct Inflater {
  z_stream z{};
  explicit Inflater(const std::string& name) {
    if (inflateInit2(&z, gzip_window_bits) != Z_OK) fail("'{}': cannot initialize zlib", name);
  }
  ~Inflater() { inflateEnd(&z); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

}  // namespace

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

void gunzip(std::string_view bytes, const std::filesystem::path& source, const ChunkSink& sink) {
  const std::string name = source.string();
  require(is_gzip(bytes), "'{}': not gzip data (no 1f 8b magic)", name);
  Inflater inflater(name);
  z_stream& z = inflater.z;
  const auto buffer = std::make_unique<char[]>(chunk_size);
  std::size_t consumed = 0;
  for (;;) {
    const std::size_t in_chunk = std::min<std::size_t>(bytes.size() - consumed, UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + consumed));
    z.avail_in = uInt(in_chunk);
    z.next_out = reinterpret_cast<Bytef*>(buffer.get());
    z.avail_out = uInt(chunk_size);
    const int status = inflate(&z, Z_NO_FLUSH);
    consumed += in_chunk - z.avail_in;
    const std::size_t produced = chunk_size - z.avail_out;
    if (produced > 0 && !sink(std::string_view(buffer.get(), produced))) return;
    if (status == Z_STREAM_END) {
      if (consumed == bytes.size()) return;
      // Another member may follow; anything else is garbage after the stream.
      if (!is_gzip(bytes.substr(consumed)))
        fail("'{}': corrupt gzip: {} trailing bytes after the compressed stream", name,
             bytes.size() - consumed);
      inflateReset(&z);
      continue;
    }
    if (status == Z_BUF_ERROR && consumed == bytes.size() && produced == 0)
      fail("'{}': corrupt gzip: compressed stream is truncated (ends after {} bytes)", name,
           bytes.size());
    if (status != Z_OK && status != Z_BUF_ERROR)
      fail("'{}': corrupt gzip: {} (at compressed byte {})", name,
           z.msg ? z.msg : "unknown zlib error", consumed);
  }
}

std::string gunzip(std::string_view bytes, const std::filesystem::path& source) {
  std::string out;
  gunzip(bytes, source, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

std::string gzip(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    fail("cannot initialize zlib for compression");
  require(bytes.size() <= UINT_MAX, "gzip: input of {} bytes is too large", bytes.size());
  std::string out(deflateBound(&z, uLong(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = uInt(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  require(status == Z_STREAM_END, "gzip: zlib compression failed (status {})", status);
  return out;
}

std::string read_maybe_gzip(const std::filesystem::path& path) {
  std::string bytes = read_bytes(path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

void read_maybe_gzip(const std::filesystem::path& path, const ChunkSink& sink) {
  const std::string bytes = read_bytes(path);
  if (is_gzip(bytes))
    gunzip(bytes, path, sink);
  else if (!bytes.empty())
    sink(bytes);
}

}  // namespace nnlab::data
