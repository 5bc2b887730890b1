#include "thread_control.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace schedscope {

namespace {

constexpr int kModeFlagsMask = (1 << 15) | (1 << 14) | (1 << 13);  // MPOL_F_STATIC/RELATIVE_NODES, MPOL_F_NUMA_BALANCING
// Large enough for every kernel's MAX_NUMNODES (1 << CONFIG_NODES_SHIFT, at most 1024 today);
// get_mempolicy refuses a mask smaller than the number of possible nodes.
constexpr std::size_t kNodeMaskBits = 4096;
// move_pages takes arrays of this many entries per call; bounded so a huge buffer costs bounded memory.
constexpr std::size_t kPagesPerQuery = 4096;

}  // namespace

SyscallError::SyscallError(const char* syscall, int error_number)
    : std::runtime_error(std::string(syscall) + ": " + errno_name(error_number) + " (" + std::strerror(error_number) + ")"),
      syscall_(syscall),
      error_number_(error_number) {}

std::string errno_name(int error_number) {
  switch (error_number) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case E2BIG: return "E2BIG";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case EIO: return "EIO";
    default: {
      std::string name = "E";  // built in two steps: gcc 12 flags "E" + to_string() with a bogus -Wrestrict
      name += std::to_string(error_number);
      return name;
    }
  }
}

CpuSet get_thread_affinity() {
  // The kernel wants a buffer at least nr_cpu_ids bits long and says EINVAL otherwise; grow until it fits.
  for (std::size_t bits = 1024; bits <= kMaxId + 1; bits *= 2) {
    std::vector<std::uint64_t> words(bits / 64, 0);
    long copied = syscall(SYS_sched_getaffinity, 0, words.size() * sizeof(std::uint64_t), words.data());
    if (copied >= 0) return CpuSet::from_words(words.data(), static_cast<std::size_t>(copied) / sizeof(std::uint64_t));
    if (errno != EINVAL) throw SyscallError("sched_getaffinity", errno);
  }
  throw SyscallError("sched_getaffinity", EINVAL);
}

void set_thread_affinity(const CpuSet& cpus) {
  const std::vector<std::uint64_t>& words = cpus.words();
  if (words.empty()) throw SyscallError("sched_setaffinity", EINVAL);
  if (syscall(SYS_sched_setaffinity, 0, words.size() * sizeof(std::uint64_t), words.data()) != 0) {
    throw SyscallError("sched_setaffinity", errno);
  }
}

unsigned current_cpu() {
  unsigned cpu = 0;
  if (syscall(SYS_getcpu, &cpu, nullptr, nullptr) != 0) throw SyscallError("getcpu", errno);
  return cpu;
}

long current_thread_id() { return syscall(SYS_gettid); }

const char* memory_policy_name(MemoryPolicyMode mode) {
  switch (mode) {
    case MemoryPolicyMode::kDefault: return "default";
    case MemoryPolicyMode::kPreferred: return "preferred";
    case MemoryPolicyMode::kBind: return "bind";
    case MemoryPolicyMode::kInterleave: return "interleave";
    case MemoryPolicyMode::kLocal: return "local";
    case MemoryPolicyMode::kPreferredMany: return "preferred-many";
    case MemoryPolicyMode::kWeightedInterleave: return "weighted-interleave";
  }
  return "unknown";
}

MemoryPolicy get_memory_policy() {
  int mode = 0;
  std::vector<std::uint64_t> mask(kNodeMaskBits / 64, 0);
  if (syscall(SYS_get_mempolicy, &mode, mask.data(), kNodeMaskBits, nullptr, 0UL) != 0) {
    throw SyscallError("get_mempolicy", errno);
  }
  MemoryPolicy policy;
  policy.flags = mode & kModeFlagsMask;
  policy.mode = static_cast<MemoryPolicyMode>(mode & ~kModeFlagsMask);
  policy.nodes = CpuSet::from_words(mask.data(), mask.size());
  // Before Linux 5.14 "local" was stored as "preferred" with no node; report it under one name.
  if (policy.mode == MemoryPolicyMode::kPreferred && policy.nodes.empty()) policy.mode = MemoryPolicyMode::kLocal;
  if (policy.mode == MemoryPolicyMode::kDefault || policy.mode == MemoryPolicyMode::kLocal) policy.nodes = CpuSet();
  return policy;
}

void set_memory_policy(MemoryPolicyMode mode, const CpuSet& nodes) {
  const std::vector<std::uint64_t>& words = nodes.words();
  // The kernel reads maxnode-1 bits, so maxnode is one past the highest node bit plus one.
  unsigned long max_node = nodes.empty() ? 0 : static_cast<unsigned long>(nodes.max()) + 2;
  const void* mask = nodes.empty() ? nullptr : words.data();
  if (syscall(SYS_set_mempolicy, static_cast<int>(mode), mask, max_node) != 0) {
    throw SyscallError("set_mempolicy", errno);
  }
}

std::size_t page_size() {
  long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<std::size_t>(size) : 4096;
}

std::vector<int> query_page_nodes(const void* data, std::size_t length) {
  std::vector<int> result;
  if (length == 0 || data == nullptr) return result;
  const std::uintptr_t size = page_size();
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(data) & ~(size - 1);
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(data) + length;
  const std::size_t count = static_cast<std::size_t>((end - start + size - 1) / size);
  result.resize(count);
  std::vector<void*> pages;
  for (std::size_t done = 0; done < count; done += kPagesPerQuery) {
    std::size_t batch = std::min(kPagesPerQuery, count - done);
    pages.resize(batch);
    for (std::size_t i = 0; i < batch; ++i) pages[i] = reinterpret_cast<void*>(start + (done + i) * size);
    if (syscall(SYS_move_pages, 0, static_cast<unsigned long>(batch), pages.data(), nullptr, result.data() + done, 0) != 0) {
      throw SyscallError("move_pages", errno);
    }
  }
  return result;
}

}  // namespace schedscope
