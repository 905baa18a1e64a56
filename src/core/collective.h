// The processes one run is spread over: MPI's ranks when the program was
// started by mpirun (and built with MPI, -DMLP_MPI=ON), else this process alone.
// Data-parallel training (train/trainer.cpp) sums gradients and logged values
// over them; rank 0 is the one that prints and writes. Every call is collective:
// all ranks make the same calls in the same order. Time spent inside the
// reductions (waiting for the other ranks, and the transfer not hidden behind
// computation) is counted, for the scaling line at the end of a run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace mlp {

class Collective {
 public:
  // The run's processes; MPI is started on first use when mpirun launched us.
  static Collective& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool leader() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }
  // This rank's part [begin, end) of n items shared out in order: [n r / N, n (r + 1) / N).
  std::pair<std::size_t, std::size_t> share(std::size_t n) const {
    const auto at = [&](int r) { return n * static_cast<std::size_t>(r) / static_cast<std::size_t>(size_); };
    return {at(rank_), at(rank_ + 1)};
  }

  // In place: every rank ends with the element-wise sum over all ranks, summed in
  // the same order on every run (MPI_Allreduce with a fixed process count).
  void sum(float* data, std::size_t n);
  void sum(double* data, std::size_t n);
  void sum(std::uint64_t* data, std::size_t n);
  // The same sum without waiting: it runs on a thread of its own while this
  // rank goes on computing, and data[0, n) must stay untouched until
  // wait_all(). Ranks start the same sums in the same order; they run in that
  // order. No other call may come between start_sum and wait_all.
  void start_sum(float* data, std::size_t n);
  // Returns once every started sum has finished.
  void wait_all();
  // Whether `flag` is true on any rank.
  bool any(bool flag);
  // Rank 0's value on every rank.
  std::uint64_t broadcast(std::uint64_t value);
  // Ends every rank of the job with `code` (MPI_Abort): for a failure on one rank
  // while the others may be waiting in a reduction.
  [[noreturn]] void abort(int code);

  double reduce_seconds() const { return reduce_seconds_; }

  ~Collective();
  Collective(const Collective&) = delete;
  Collective& operator=(const Collective&) = delete;

 private:
  Collective();
  template <class T>
  void sum_values(T* data, std::size_t n);
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
  struct Background;  // the thread that runs the started sums
  std::unique_ptr<Background> background_;
  double reduce_seconds_ = 0;
};

// Whether this program was built with MPI.
bool built_with_mpi();

}  // namespace mlp
