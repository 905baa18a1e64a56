#include "core/collective.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <type_traits>

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
void allreduce(T* data, std::size_t n, MPI_Datatype type) {
  constexpr std::size_t piece = std::numeric_limits<int>::max() / 2;
  for (std::size_t at = 0; at < n; at += piece)
    MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(piece, n - at)), type, MPI_SUM, MPI_COMM_WORLD);
}
#endif

}  // namespace

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
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  mpi_ = true;
#endif
}

Collective::~Collective() {
#ifdef MLP_HAVE_MPI
  if (mpi_) MPI_Finalize();
#endif
}

template <class T>
void Collective::sum_values(T* data, std::size_t n) {
  if (!mpi_) return;
#ifdef MLP_HAVE_MPI
  const double start = seconds_now();
  allreduce(data, n, std::is_same_v<T, float> ? MPI_FLOAT : MPI_DOUBLE);
  reduce_seconds_ += seconds_now() - start;
#else
  (void)data;
  (void)n;
#endif
}

void Collective::sum(float* data, std::size_t n) { sum_values(data, n); }
void Collective::sum(double* data, std::size_t n) { sum_values(data, n); }

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
