// MPI for nnlab: the only place that knows <mpi.h> is src/core/mpi.cpp. Built without MPI
// (NNLAB_MPI=OFF or OpenMPI not found), or run without mpirun, the same API describes a job of one
// rank: rank() == 0, size() == 1, collectives copy. MPI is initialized only when the process was
// started by a launcher (mpirun, srun: OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in the
// environment), so one binary runs alone and under mpirun.
//
// Every function below except rank(), size(), launched() and abort() is COLLECTIVE: every rank
// calls it, in the same order. A rank whose work threw must still reach the next agreement point
// (agree, or a collective that carries its error) so that no rank waits forever for it.
//
// Threads: MPI_THREAD_FUNNELED. Only the thread that made the Session calls these functions; a
// thread pool's workers never do.
#pragma once
#include <cstddef>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab::mpi {

// An error that every rank of the job throws together (from agree() and what calls it): a caller
// may report it once (rank 0) and let every rank return the same exit code. An Error that is not
// an AgreedError was seen by one rank alone: that rank must abort() the job.
class AgreedError : public Error {
 public:
  AgreedError(std::string message, bool internal) : Error(std::move(message)), internal_(internal) {}
  // The original was not an nnlab::Error (a bug, std::bad_alloc, ...).
  bool internal() const { return internal_; }

 private:
  bool internal_;
};

// Initializes MPI when launched by mpirun/srun (see above) and finalizes it when destroyed. On a
// rank other than 0, stdout and stderr go to /dev/null (one copy of every message, rank 0's);
// abort() still reaches the terminal. Built without MPI but started as one of several ranks, it
// aborts (each copy would run the whole job). One Session per process, made first thing in main.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

bool built_with_mpi();  // false: the fallback of one rank
bool launched();        // this process was started by an MPI launcher
int rank();             // 0 … size()-1; 0 without MPI
int size();             // ranks in the job; 1 without MPI

// Threads a rank uses when the user gives none: the CPUs it is bound to (its affinity mask: a
// rank that mpirun bound to one core gets 1), or, when it may run on every CPU of the node, those
// divided among the node's ranks; at least 1. Without MPI: the CPUs of the affinity mask.
int default_threads();

// Prints "nnlab: rank R: message" (without "rank R: " in a job of one rank; message starts with
// what it is, e.g. "error: …") on the terminal and ends the whole job with exit code `code`
// (MPI_Abort); without MPI, std::exit.
[[noreturn]] void abort(std::string_view message, int code);

// The job's exit code is known on every rank (main calls this before it prints an agreed error
// or returns). mpirun stops the job as soon as one rank exits non-zero, so rank 0 may still get
// its SIGTERM while it exits with the same code: from now on that SIGTERM ends rank 0 quietly
// with `code` instead of reporting a stopped job.
void settle(int code);

void barrier();

// Every rank's bytes, indexed by rank, on every rank (lengths may differ).
std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine);

// Rank `root`'s bytes on every rank (`bytes` is resized on the others).
void broadcast(std::vector<std::byte>& bytes, int root = 0);

// data ← Σ_r data_r on every rank, summed in rank order ((d_0 + d_1) + d_2) + …, the same
// elementwise sequence of additions on every rank: bit-identical results for a fixed size();
// another size() adds in another grouping (equal within rounding).
void sum(std::span<double> data);
void sum(std::span<float> data);

// Error agreement. Every rank passes its exception (nullptr when it succeeded). If any rank
// failed, every rank throws the same AgreedError: the message of the lowest failing rank,
// prefixed "rank R: " in a job of more than one rank.
void agree(std::exception_ptr mine);

// Runs f on every rank and agrees on its outcome (agree(exception of f)).
void agreed(const std::function<void()>& f);

// Runs f on rank 0 only (writing files, checking the output folder) and agrees on its outcome.
void on_root(const std::function<void()>& f);

// AgreedError "what differs between ranks: rank R has …, rank 0 has …" unless every rank passes
// the same value (e.g. the command line: ranks must run the same thing).
void require_same(std::string_view value, std::string_view what);

}  // namespace nnlab::mpi
