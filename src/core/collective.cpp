#include "core/collective.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/clock.h"

#ifdef MLP_HAVE_MPI
#include <mpi.h>
#endif

namespace mlp {
namespace {

#ifdef MLP_HAVE_MPI
// mpirun (Open MPI's, or any PMIx launcher) tells its processes who they are in
// the environment; a program started by hand is one process and never starts
// MPI (MPI_Init would make it a singleton job, at a cost, for nothing).
bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_SIZE");
}

// MPI counts in ints: long arrays go in pieces.
template <class T>
void allreduce(T* data, std::size_t n) {
  constexpr std::size_t piece = std::numeric_limits<int>::max() / 2;
  const MPI_Datatype type = std::is_same_v<T, float> ? MPI_FLOAT : std::is_same_v<T, double> ? MPI_DOUBLE : MPI_UINT64_T;
  for (std::size_t at = 0; at < n; at += piece)
    MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(piece, n - at)), type, MPI_SUM, MPI_COMM_WORLD);
}
#endif

}  // namespace

// The sums started and not yet finished, and the thread that runs them one
// after the other with the blocking MPI_Allreduce. A thread rather than
// MPI_Iallreduce: Open MPI moves a nonblocking collective on only inside MPI
// calls, which a rank busy in a layer's backward pass does not make, and its
// blocking allreduce has the faster algorithms (Horovod and PyTorch's MPI
// backend do the same). MPI is started MPI_THREAD_SERIALIZED: the rank's other
// calls come after wait_all(), never beside a sum.
struct Collective::Background {
  std::mutex mutex;
  std::condition_variable wake, idle;
  std::deque<std::pair<float*, std::size_t>> queue;
  bool busy = false, quit = false;
  std::thread thread;

  void run() {
#ifdef MLP_HAVE_MPI
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return quit || !queue.empty(); });
      if (queue.empty()) return;
      const auto [data, n] = queue.front();
      queue.pop_front();
      busy = true;
      lock.unlock();
      allreduce(data, n);
      lock.lock();
      busy = false;
      if (queue.empty()) idle.notify_all();
    }
#endif
  }
};

bool built_with_mpi() {
#ifdef MLP_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Collective& Collective::world() {
  static Collective instance;
  return instance;
}

Collective::Collective() {
#ifdef MLP_HAVE_MPI
  if (!launched_by_mpirun()) return;
  // A rank waiting inside MPI spins on its core by default; with the sums'
  // thread beside the computing one, the wait should give the core up instead
  // (unless the user set it otherwise).
  ::setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  mpi_ = true;
  // Without thread support the sums run where they are started, waiting there.
  if (provided >= MPI_THREAD_SERIALIZED && size_ > 1) {
    background_ = std::make_unique<Background>();
    background_->thread = std::thread([this] { background_->run(); });
  }
#endif
}

Collective::~Collective() {
  if (background_) {
    {
      std::lock_guard lock(background_->mutex);
      background_->quit = true;
    }
    background_->wake.notify_all();
    background_->thread.join();
  }
#ifdef MLP_HAVE_MPI
  if (mpi_) MPI_Finalize();
#endif
}

template <class T>
void Collective::sum_values(T* data, std::size_t n) {
  if (!mpi_) return;
#ifdef MLP_HAVE_MPI
  const double start = seconds_now();
  allreduce(data, n);
  reduce_seconds_ += seconds_now() - start;
#else
  (void)data;
  (void)n;
#endif
}

void Collective::sum(float* data, std::size_t n) { sum_values(data, n); }
void Collective::sum(double* data, std::size_t n) { sum_values(data, n); }
void Collective::sum(std::uint64_t* data, std::size_t n) { sum_values(data, n); }

void Collective::start_sum(float* data, std::size_t n) {
  if (!background_) {
    sum_values(data, n);
    return;
  }
  {
    std::lock_guard lock(background_->mutex);
    background_->queue.emplace_back(data, n);
  }
  background_->wake.notify_one();
}

void Collective::wait_all() {
  if (!background_) return;
  const double start = seconds_now();
  std::unique_lock lock(background_->mutex);
  background_->idle.wait(lock, [this] { return background_->queue.empty() && !background_->busy; });
  reduce_seconds_ += seconds_now() - start;
}

bool Collective::any(bool flag) {
  if (!mpi_) return flag;
#ifdef MLP_HAVE_MPI
  int value = flag ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return value != 0;
#else
  return flag;
#endif
}

std::uint64_t Collective::broadcast(std::uint64_t value) {
#ifdef MLP_HAVE_MPI
  if (mpi_) MPI_Bcast(&value, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
#endif
  return value;
}

void Collective::abort(int code) {
#ifdef MLP_HAVE_MPI
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::_Exit(code);
}

}  // namespace mlp
