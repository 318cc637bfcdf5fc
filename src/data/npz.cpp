// NPZ: the ZIP container read from its central directory (APPNOTE 6.3.x §4.3.16: end of central
// directory; §4.3.14–15: zip64 end record and locator; §4.3.12: central directory headers;
// §4.5.3: the zip64 extra field; §4.3.7: local headers), members inflated by zlib (raw deflate).
// Every offset and size is checked against the file before it is used.
#include "nnlab/data/npz.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "nnlab/core/error.hpp"
#include "nnlab/data/gzip.hpp"

namespace nnlab::data {

namespace {

constexpr std::uint32_t end_signature = 0x06054b50, zip64_end_signature = 0x06064b50,
                        zip64_locator_signature = 0x07064b50, central_signature = 0x02014b50,
                        local_signature = 0x04034b50;
constexpr std::uint16_t stored = 0, deflated = 8;
// Deflate cannot expand by more than 1032:1, so a larger promised size is a corrupt (or hostile)
// header, refused before anything is allocated.
constexpr std::uint64_t max_deflate_ratio = 1032;

// Little-endian reads at checked offsets of the archive.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  void need(std::uint64_t offset, std::uint64_t size, std::string_view what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset)
      fail("'{}': corrupt NPZ (ZIP) archive: the {} at byte {} runs past the end of the file ({} bytes)", name_,
           what, offset, bytes_.size());
  }
  std::uint64_t get(std::uint64_t offset, int width) const {
    std::uint64_t v = 0;
    for (int k = width - 1; k >= 0; --k) v = v << 8 | static_cast<unsigned char>(bytes_[offset + std::uint64_t(k)]);
    return v;
  }
  std::string_view view(std::uint64_t offset, std::uint64_t size) const { return bytes_.substr(offset, size); }
  std::uint64_t size() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
  const std::string& name_;
};

std::string key_of(const std::string& member) {
  return member.ends_with(".npy") ? member.substr(0, member.size() - 4) : member;
}

}  // namespace

NpzArchive::NpzArchive(const std::filesystem::path& path) : path_(path.string()), archive_(read_maybe_gzip(path)) {
  const Reader r(archive_, path_);
  // The end record sits in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  require(r.size() >= 22, "'{}': not an NPZ file (a ZIP archive): only {} bytes", path_, r.size());
  std::uint64_t end = r.size() - 22;
  const std::uint64_t lowest = r.size() > 22 + 65535 ? r.size() - 22 - 65535 : 0;
  while (r.get(end, 4) != end_signature) {
    if (end == lowest) fail("'{}': not an NPZ file: no ZIP end-of-central-directory record", path_);
    --end;
  }
  require(r.get(end + 4, 2) == 0 && r.get(end + 6, 2) == 0,
          "'{}': multi-disk ZIP archives are not supported", path_);
  std::uint64_t entries = r.get(end + 10, 2), directory_size = r.get(end + 12, 4), directory = r.get(end + 16, 4);
  if (entries == 0xffff || directory_size == 0xffffffff || directory == 0xffffffff) {
    require(end >= 20 && r.get(end - 20, 4) == zip64_locator_signature,
            "'{}': corrupt NPZ archive: zip64 sizes without a zip64 locator", path_);
    const std::uint64_t record = r.get(end - 20 + 8, 8);
    r.need(record, 56, "zip64 end record");
    require(r.get(record, 4) == zip64_end_signature, "'{}': corrupt NPZ archive: bad zip64 end record", path_);
    entries = r.get(record + 32, 8), directory_size = r.get(record + 40, 8), directory = r.get(record + 48, 8);
  }
  r.need(directory, directory_size, "central directory");
  std::uint64_t at = directory;
  for (std::uint64_t i = 0; i < entries; ++i) {
    r.need(at, 46, "central directory entry");
    require(r.get(at, 4) == central_signature, "'{}': corrupt NPZ archive: bad central directory entry {}", path_, i);
    Member m;
    const auto flags = std::uint16_t(r.get(at + 8, 2));
    m.method = std::uint16_t(r.get(at + 10, 2));
    m.crc = std::uint32_t(r.get(at + 16, 4));
    m.compressed = r.get(at + 20, 4);
    m.uncompressed = r.get(at + 24, 4);
    const std::uint64_t name_length = r.get(at + 28, 2), extra_length = r.get(at + 30, 2),
                        comment_length = r.get(at + 32, 2);
    m.local_offset = r.get(at + 42, 4);
    r.need(at + 46, name_length + extra_length + comment_length, "central directory entry");
    m.name = std::string(r.view(at + 46, name_length));
    // zip64: the fields saturated at 0xffffffff follow in the extra field 0x0001, in this order.
    for (std::uint64_t e = at + 46 + name_length; e + 4 <= at + 46 + name_length + extra_length;) {
      const std::uint64_t id = r.get(e, 2), size = r.get(e + 2, 2);
      require(e + 4 + size <= at + 46 + name_length + extra_length,
              "'{}': corrupt NPZ archive: extra field of member '{}' runs past its entry", path_, m.name);
      if (id == 0x0001) {
        std::uint64_t f = e + 4;
        for (std::uint64_t* field : {&m.uncompressed, &m.compressed, &m.local_offset})
          if (*field == 0xffffffff) {
            require(f + 8 <= e + 4 + size, "'{}': corrupt NPZ archive: short zip64 field of member '{}'", path_, m.name);
            *field = r.get(f, 8), f += 8;
          }
      }
      e += 4 + size;
    }
    require(!(flags & 1), "'{}': member '{}' is encrypted; NPZ members cannot be", path_, m.name);
    require(m.method == stored || m.method == deflated,
            "'{}': member '{}' uses ZIP compression method {}; supported: stored (np.savez) and deflate "
            "(np.savez_compressed)",
            path_, m.name, m.method);
    keys_.push_back(key_of(m.name));
    members_.push_back(std::move(m));
    at += 46 + name_length + extra_length + comment_length;
  }
}

bool NpzArchive::contains(std::string_view key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::string NpzArchive::extract(std::string_view key) const {
  const auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it == keys_.end())
    fail("'{}' has no array '{}'; it holds {}", path_, key, keys_.empty() ? "none" : fmt::format("{}", fmt::join(keys_, ", ")));
  const Member& m = members_[std::size_t(it - keys_.begin())];
  const Reader r(archive_, path_);
  r.need(m.local_offset, 30, "local header of '" + m.name + "'");
  require(r.get(m.local_offset, 4) == local_signature, "'{}': corrupt NPZ archive: bad local header of member '{}'",
          path_, m.name);
  const std::uint64_t data = m.local_offset + 30 + r.get(m.local_offset + 26, 2) + r.get(m.local_offset + 28, 2);
  r.need(data, m.compressed, "data of '" + m.name + "'");
  const std::string_view packed = r.view(data, m.compressed);
  std::string out;
  if (m.method == stored) {
    require(m.compressed == m.uncompressed, "'{}': corrupt NPZ archive: stored member '{}' has sizes {} and {}", path_,
            m.name, m.compressed, m.uncompressed);
    out = packed;
  } else {
    require(m.uncompressed <= max_deflate_ratio * m.compressed + 1024,
            "'{}': corrupt NPZ archive: member '{}' claims {} bytes from {} compressed", path_, m.name, m.uncompressed,
            m.compressed);
    require(m.compressed <= UINT_MAX && m.uncompressed <= UINT_MAX,
            "'{}': member '{}' is too large ({} bytes) to inflate in one piece", path_, m.name, m.uncompressed);
    out.resize(m.uncompressed);
    z_stream z{};
    require(inflateInit2(&z, -MAX_WBITS) == Z_OK, "'{}': cannot initialize zlib", path_);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    z.avail_in = uInt(packed.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    const int status = inflate(&z, Z_FINISH);
    const std::uint64_t produced = z.total_out;
    const std::string message = z.msg ? z.msg : "";
    inflateEnd(&z);
    require(status == Z_STREAM_END, "'{}': corrupt NPZ archive: member '{}' does not inflate to its {} bytes ({})",
            path_, m.name, m.uncompressed, message.empty() ? fmt::format("zlib status {}", status) : message);
    require(produced == m.uncompressed, "'{}': corrupt NPZ archive: member '{}' inflates to {} bytes, not {}", path_,
            m.name, produced, m.uncompressed);
  }
  const auto crc = std::uint32_t(crc32_z(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(out.data()), out.size()));
  require(crc == m.crc, "'{}': corrupt NPZ archive: member '{}' fails its CRC-32 check", path_, m.name);
  return out;
}

template <class Scalar>
Mat<Scalar> NpzArchive::load(std::string_view key, NpyInfo* info) const {
  return parse_npy<Scalar>(extract(key), fmt::format("{}[{}]", path_, key), info);
}

template Mat<float> NpzArchive::load<float>(std::string_view, NpyInfo*) const;
template Mat<double> NpzArchive::load<double>(std::string_view, NpyInfo*) const;

}  // namespace nnlab::data
