// A fixed pool of worker threads for one parallel loop at a time. The caller takes part as
// thread 0, so SG3_THREADS=1 runs everything inline. Workers block on a condition variable
// between loops (no spinning: the machines are shared). The pool is created on first use and
// deliberately never destroyed: workers still waiting at process exit must not see their
// condition variable destructed under them.
#include <sched.h>

#include <atomic>
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

class Pool {
 public:
  explicit Pool(int n) : size_(n) {
    for (int i = 1; i < n; ++i) std::thread([this, i] { worker(i); }).detach();
  }
  int size() const { return size_; }

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
      pending_ = size_ - 1;
      error_ = nullptr;
      ++generation_;
    }
    work_cv_.notify_all();
    drain(0);
    std::unique_lock<std::mutex> lock(m_);
    done_cv_.wait(lock, [this] { return pending_ == 0; });
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
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        work_cv_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
      }
      drain(id);
      std::lock_guard<std::mutex> lock(m_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  const int size_;
  std::mutex run_mutex_, m_;
  std::condition_variable work_cv_, done_cv_;
  const std::function<void(int, int)>* fn_ = nullptr;
  int ntasks_ = 0, pending_ = 0;
  std::atomic<int> next_{0};
  uint64_t generation_ = 0;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool(configured_threads());  // never deleted, see the file comment
  return *p;
}

}  // namespace

int pool_size() { return pool().size(); }

void parallel_for(int ntasks, const std::function<void(int, int)>& fn) { pool().run(ntasks, fn); }

}  // namespace sg3
