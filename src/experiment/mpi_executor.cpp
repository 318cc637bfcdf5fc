#include "nnlab/experiment/mpi_executor.hpp"

#include <cstdint>
#include <cstring>
#include <exception>

#include "nnlab/core/mpi.hpp"

namespace nnlab::experiment {
namespace {

thread_local bool inside_item = false;

// Items [begin, end) of a batch, as a batch of their own; marks its items as running.
class Block final : public Batch {
 public:
  Block(Batch& all, std::size_t begin, std::size_t end) : all_(all), begin_(begin), end_(end) {}
  std::size_t size() const override { return end_ - begin_; }
  void run(std::size_t i) override {
    struct Mark {
      Mark() { inside_item = true; }
      ~Mark() { inside_item = false; }
    } mark;
    all_.run(begin_ + i);
  }
  void save(std::size_t i, std::vector<std::byte>& out) const override { all_.save(begin_ + i, out); }
  std::size_t load(std::size_t i, std::span<const std::byte> in) override {
    return all_.load(begin_ + i, in);
  }

 private:
  Batch& all_;
  std::size_t begin_, end_;
};

// ⌊n·rank/ranks⌋ without overflow.
std::size_t block_begin(std::size_t n, int rank, int ranks) {
  const auto r = std::size_t(rank), k = std::size_t(ranks);
  return n / k * r + n % k * r / k;
}

}  // namespace

void MpiExecutor::run(Batch& batch) {
  const int ranks = mpi::size();
  if (ranks == 1 || inside_item) {
    local_.run(batch);
    return;
  }
  const std::size_t n = batch.size();
  const int me = mpi::rank();
  Block mine(batch, block_begin(n, me, ranks), block_begin(n, me + 1, ranks));
  std::exception_ptr error;
  try {
    local_.run(mine);
  } catch (...) {
    error = std::current_exception();
  }
  // Each rank's message: the batch size it ran (ranks must agree), then its results in order.
  const std::uint64_t size = n;
  std::vector<std::byte> out(sizeof size);
  std::memcpy(out.data(), &size, sizeof size);
  if (!error)
    for (std::size_t i = 0; i < mine.size(); ++i) mine.save(i, out);
  // Every rank learns of a failure anywhere before it reads results (which are then incomplete).
  mpi::agree(error);
  const auto all = mpi::allgather(out);
  const auto items = [&](int r) {
    std::uint64_t count = 0;
    std::memcpy(&count, all[std::size_t(r)].data(), sizeof count);
    return count;
  };
  for (int r = 1; r < ranks; ++r)
    if (items(r) != items(0))
      throw mpi::AgreedError(
          fmt::format("ranks ran different batches ({} items on rank {}, {} on rank 0): the lab's "
                      "control flow depends on something other than its parameters and seed",
                      items(r), r, items(0)),
          true);
  for (int r = 0; r < ranks; ++r) {
    if (r == me) continue;
    std::span<const std::byte> in = std::span(all[std::size_t(r)]).subspan(sizeof size);
    Block block(batch, block_begin(n, r, ranks), block_begin(n, r + 1, ranks));
    for (std::size_t i = 0; i < block.size(); ++i) in = in.subspan(block.load(i, in));
  }
}

}  // namespace nnlab::experiment
