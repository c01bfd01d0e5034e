// A fixed pool of worker threads for one parallel loop at a time. The caller takes part as
// thread 0, so SG3_THREADS=1 runs everything inline. Between loops a worker first spins for up to
// SG3_SPIN_US microseconds (default 2000) and then blocks on a condition variable. Why spin: a
// training step runs hundreds of native loops a few milliseconds apart, and on a loaded machine a
// worker woken from a condition variable often arrives after the caller has drained the loop
// alone (measured: a 1024^3 GEMM at 1-thread speed with two threads under load 6); a spinning
// worker stays runnable and joins at once, as OpenMP's threads (GOMP_SPINCOUNT) do for torch. It
// sleeps after the spin, so an idle process costs nothing. The pool is created on first use and
// deliberately never destroyed: workers still waiting at process exit must not see their
// condition variable destructed under them.
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

int configured_threads() {
  if (const char* env = std::getenv("SG3_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n > 256 ? 256 : n;
  }
  // The affinity mask, not hardware_concurrency: containers and taskset restrict it.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
  unsigned h = std::thread::hardware_concurrency();
  return h >= 1 ? static_cast<int>(h) : 1;
}

long spin_microseconds() {
  if (const char* env = std::getenv("SG3_SPIN_US")) {
    long n = std::atol(env);
    if (n >= 0) return n;
  }
  return 2000;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

class Pool {
 public:
  explicit Pool(int n) : size_(n) {
    for (int i = 1; i < n; ++i) std::thread([this, i] { worker(i); }).detach();
  }
  int size() const { return size_; }

  // The caller drains the task counter itself and then waits only for the workers that joined
  // this loop: a worker the OS has not woken yet (a busy machine) never delays the caller.
  void run(int ntasks, const std::function<void(int, int)>& fn) {
    std::lock_guard<std::mutex> serial(run_mutex_);
    if (ntasks <= 0) return;
    if (size_ == 1 || ntasks == 1) {
      for (int t = 0; t < ntasks; ++t) fn(t, 0);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      fn_ = &fn;
      ntasks_ = ntasks;
      next_.store(0);
      error_ = nullptr;
      open_ = true;
      generation_.fetch_add(1);
    }
    work_cv_.notify_all();
    drain(0);
    std::unique_lock<std::mutex> lock(m_);
    open_ = false;  // every task is claimed: no late worker may join any more
    done_cv_.wait(lock, [this] { return active_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Takes tasks until none are left; an exception is kept for the caller and stops nothing else.
  void drain(int thread) {
    for (int t; (t = next_.fetch_add(1)) < ntasks_;) {
      try {
        (*fn_)(t, thread);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void worker(int id) {
    uint64_t seen = 0;
    const auto spin = std::chrono::microseconds(spin_microseconds());
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + spin;
      for (int i = 0; generation_.load() == seen; ++i) {  // spin, then block (file comment)
        cpu_relax();
        if ((i & 255) == 255 && std::chrono::steady_clock::now() >= until) break;
      }
      std::unique_lock<std::mutex> lock(m_);
      work_cv_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (!open_) continue;  // arrived after the loop ended
      ++active_;
      lock.unlock();
      drain(id);
      lock.lock();
      if (--active_ == 0) done_cv_.notify_one();
    }
  }

  const int size_;
  std::mutex run_mutex_, m_;
  std::condition_variable work_cv_, done_cv_;
  // The current loop; written under m_ only while no worker is active (open_ false, active_ 0).
  const std::function<void(int, int)>* fn_ = nullptr;
  int ntasks_ = 0, active_ = 0;
  bool open_ = false;
  std::atomic<int> next_{0};
  std::atomic<uint64_t> generation_{0};  // written under m_, read by spinning workers without it
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool(configured_threads());  // never deleted, see the file comment
  return *p;
}

}  // namespace

int pool_size() { return pool().size(); }

int threads_for(double work) { return work < kSerialWork ? 1 : pool().size(); }

void parallel_for(int ntasks, const std::function<void(int, int)>& fn, double work) {
  if (work < kSerialWork) {
    for (int t = 0; t < ntasks; ++t) fn(t, 0);
    return;
  }
  pool().run(ntasks, fn);
}

}  // namespace sg3
