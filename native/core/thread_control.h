// Raw syscalls that act on the calling thread: affinity, current CPU, kernel TID, memory policy, and
// the page-location query. Raw syscalls rather than libnuma or libuv helpers: neither is available
// when building against node-api-headers alone, and the kernel interface is small and stable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu_set.h"

namespace schedscope {

// A syscall failed; carries errno so callers can tell "not allowed here" (EPERM) from bad input.
class SyscallError : public std::runtime_error {
 public:
  SyscallError(const char* syscall, int error_number);
  const std::string& syscall() const { return syscall_; }
  int error_number() const { return error_number_; }

 private:
  std::string syscall_;
  int error_number_;
};

// Symbolic errno name ("EPERM"); "E<number>" for values without one.
std::string errno_name(int error_number);

CpuSet get_thread_affinity();
// Sets the calling thread's mask. The kernel silently drops CPUs outside the cgroup cpuset; callers
// that need exactness compare with get_thread_affinity() afterwards.
void set_thread_affinity(const CpuSet& cpus);
unsigned current_cpu();
long current_thread_id();

// Values of the kernel's MPOL_* constants.
enum class MemoryPolicyMode : int {
  kDefault = 0,
  kPreferred = 1,
  kBind = 2,
  kInterleave = 3,
  kLocal = 4,
  kPreferredMany = 5,
  kWeightedInterleave = 6,
};

struct MemoryPolicy {
  MemoryPolicyMode mode = MemoryPolicyMode::kDefault;
  CpuSet nodes;  // node ids; empty for default and local
  int flags = 0;  // MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES bits as the kernel reports them
};

MemoryPolicy get_memory_policy();
void set_memory_policy(MemoryPolicyMode mode, const CpuSet& nodes);
const char* memory_policy_name(MemoryPolicyMode mode);

// For each page overlapping [data, data+length): the node holding it, or a negative errno
// (-ENOENT: not faulted in yet, -EFAULT: not mapped). Uses move_pages(2) with no target nodes,
// which only queries.
std::vector<int> query_page_nodes(const void* data, std::size_t length);
std::size_t page_size();

}  // namespace schedscope
