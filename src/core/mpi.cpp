// See mpi.hpp. With NNLAB_HAVE_MPI the job is MPI_COMM_WORLD; without it, one rank.
#include "nnlab/core/mpi.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#if NNLAB_HAVE_MPI
#include <mpi.h>
#endif

namespace nnlab::mpi {
namespace {

int rank_ = 0, size_ = 1, local_size_ = 1;
bool initialized_ = false;
int terminal_ = STDERR_FILENO;  // stderr as it was before a rank > 0 silenced it
volatile sig_atomic_t settled_code_ = -1;  // see settle()

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, int(std::thread::hardware_concurrency()));
}

// The failure of one rank: kind 0 none, 1 nnlab::Error, 2 anything else; then the message.
std::vector<std::byte> encode(std::exception_ptr error) {
  std::string message;
  char kind = 0;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      kind = 1;
      message = e.what();
    } catch (const std::exception& e) {
      kind = 2;
      message = e.what();
    } catch (...) {
      kind = 2;
      message = "unknown exception";
    }
  }
  std::vector<std::byte> out(1 + message.size());
  out[0] = std::byte(kind);
  std::memcpy(out.data() + 1, message.data(), message.size());
  return out;
}

std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

#if NNLAB_HAVE_MPI
void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char message[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, message, &length);
  abort(fmt::format("error: {} failed: {}", what, std::string_view(message, std::size_t(length))), 1);
}

template <class T>
void sum_in_rank_order(std::span<T> data, MPI_Datatype type) {
  if (size_ == 1 || data.empty()) return;
  // Kept from call to call: a data-parallel step sums the whole gradient (K·|θ| values), and a
  // fresh buffer each step would be fresh pages to fault in.
  thread_local std::vector<T> all;
  all.resize(data.size() * std::size_t(size_));
  check(MPI_Allgather(data.data(), int(data.size()), type, all.data(), int(data.size()), type,
                      MPI_COMM_WORLD),
        "MPI_Allgather");
  for (std::size_t i = 0; i < data.size(); ++i) {
    T s = all[i];
    for (std::size_t r = 1; r < std::size_t(size_); ++r) s += all[r * data.size() + i];
    data[i] = s;
  }
}
#endif

}  // namespace

bool built_with_mpi() { return NNLAB_HAVE_MPI != 0; }

bool launched() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

Session::Session([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#if !NNLAB_HAVE_MPI
  // Started as one of several ranks: each copy would run the whole job and write the same files.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* ranks = std::getenv(name); ranks != nullptr && std::atoi(ranks) > 1)
      abort("error: this nnlab was built without MPI (NNLAB_MPI=OFF): start it without mpirun", 1);
#else
  if (!launched()) return;
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    abort("error: MPI_Init_thread failed", 1);
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // Errors of MPI calls come back as codes (check() aborts with the message), not as the
  // default handler's silent abort.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  if (provided < MPI_THREAD_FUNNELED) abort("error: this MPI library does not support threads", 1);
  // mpirun stops every rank with SIGTERM when one rank dies or the job is cancelled: rank 0 says so
  // (a command that handles SIGTERM itself, like train, replaces this).
  if (rank_ == 0 && size_ > 1)
    signal(SIGTERM, [](int) {
      if (settled_code_ >= 0) _exit(settled_code_);
      static const char line[] =
          "nnlab: error: the MPI job was stopped (a rank failed or was killed, or the job was "
          "cancelled); what rank 0 had written is kept\n";
      [[maybe_unused]] const auto written = write(STDERR_FILENO, line, sizeof line - 1);
      _exit(128 + SIGTERM);
    });
  if (rank_ != 0) {
    std::fflush(stdout);
    std::fflush(stderr);
    terminal_ = dup(STDERR_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    close(null);
  }
#endif
}

Session::~Session() {
#if NNLAB_HAVE_MPI
  if (initialized_) MPI_Finalize();
  initialized_ = false;
#endif
}

void settle(int code) { settled_code_ = code; }

int rank() { return rank_; }
int size() { return size_; }

// A rank bound to some CPUs (mpirun binds to cores or sockets by default) has them alone; an
// unbound one shares every CPU of the node with the node's other ranks.
int default_threads() {
  const int cpus = affinity_cpus();
  const bool bound = cpus < int(std::thread::hardware_concurrency());
  return std::max(1, bound ? cpus : cpus / local_size_);
}

void abort(std::string_view message, int code) {
  const std::string line = size_ > 1 ? fmt::format("nnlab: rank {}: {}\n", rank_, message)
                                     : fmt::format("nnlab: {}\n", message);
  std::fflush(stdout);
  std::fflush(stderr);
  [[maybe_unused]] const auto written = write(terminal_, line.data(), line.size());
#if NNLAB_HAVE_MPI
  if (initialized_) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

void barrier() {
#if NNLAB_HAVE_MPI
  if (size_ > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
}

std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) {
  std::vector<std::vector<std::byte>> all(static_cast<std::size_t>(size_));
#if NNLAB_HAVE_MPI
  if (size_ > 1) {
    const std::int64_t length = std::int64_t(mine.size());
    std::vector<std::int64_t> lengths(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&length, 1, MPI_INT64_T, lengths.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
          "MPI_Allgather");
    std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    std::int64_t total = 0;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
      if (total + lengths[r] > std::int64_t(INT32_MAX))
        abort(fmt::format("error: allgather: {} bytes exceed MPI's 2 GiB count limit", total + lengths[r]), 1);
      counts[r] = int(lengths[r]);
      offsets[r] = int(total);
      total += lengths[r];
    }
    std::vector<std::byte> flat(static_cast<std::size_t>(total));
    check(MPI_Allgatherv(mine.data(), int(mine.size()), MPI_BYTE, flat.data(), counts.data(),
                         offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    for (std::size_t r = 0; r < all.size(); ++r)
      all[r].assign(flat.begin() + offsets[r], flat.begin() + offsets[r] + counts[r]);
    return all;
  }
#endif
  all[0].assign(mine.begin(), mine.end());
  return all;
}

void broadcast([[maybe_unused]] std::vector<std::byte>& bytes, [[maybe_unused]] int root) {
#if NNLAB_HAVE_MPI
  if (size_ == 1) return;
  std::int64_t length = std::int64_t(bytes.size());
  check(MPI_Bcast(&length, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
  if (length > std::int64_t(INT32_MAX))
    abort(fmt::format("error: broadcast: {} bytes exceed MPI's 2 GiB count limit", length), 1);
  bytes.resize(std::size_t(length));
  check(MPI_Bcast(bytes.data(), int(length), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
#endif
}

void sum([[maybe_unused]] std::span<double> data) {
#if NNLAB_HAVE_MPI
  sum_in_rank_order(data, MPI_DOUBLE);
#endif
}

void sum([[maybe_unused]] std::span<float> data) {
#if NNLAB_HAVE_MPI
  sum_in_rank_order(data, MPI_FLOAT);
#endif
}

void agree(std::exception_ptr mine) {
  const auto all = allgather(encode(mine));
  for (std::size_t r = 0; r < all.size(); ++r) {
    const char kind = char(all[r][0]);
    if (kind == 0) continue;
    const std::string message = text(std::span(all[r]).subspan(1));
    throw AgreedError(size_ > 1 ? fmt::format("rank {}: {}", r, message) : message, kind == 2);
  }
}

void agreed(const std::function<void()>& f) {
  std::exception_ptr error;
  try {
    f();
  } catch (...) {
    error = std::current_exception();
  }
  agree(error);
}

void on_root(const std::function<void()>& f) {
  std::exception_ptr error;
  if (rank_ == 0) try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  std::vector<std::byte> outcome = encode(error);
  broadcast(outcome, 0);
  if (char(outcome[0]) != 0)
    throw AgreedError(text(std::span(outcome).subspan(1)), char(outcome[0]) == 2);
}

void require_same(std::string_view value, std::string_view what) {
  const auto all = allgather(std::as_bytes(std::span(value.data(), value.size())));
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw AgreedError(fmt::format("{} differs between ranks: rank {} has '{}', rank 0 has '{}'",
                                    what, r, text(all[r]), text(all[0])),
                        false);
}

}  // namespace nnlab::mpi
