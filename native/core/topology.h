// The machine as a process sees it: packages, cores, SMT siblings and NUMA nodes read from a sysfs
// tree, intersected with what the calling thread and its cgroup cpuset allow. The root directory is
// a parameter so tests can point it at fake trees; the TypeScript fallback (src/native/sysfs.ts)
// implements the same rules and both are checked against the same expected objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpu_set.h"

namespace schedscope {

struct NodeDistance {
  unsigned node = 0;
  unsigned distance = 0;
};

struct NumaNode {
  unsigned id = 0;
  CpuSet cpus;          // online CPUs of the node
  CpuSet allowed_cpus;  // cpus ∩ the topology's allowed CPUs
  std::optional<double> memory_bytes;
  std::optional<double> free_bytes;
  bool has_memory = false;
  bool memory_allowed = false;  // the calling thread may allocate here (Mems_allowed ∩ cgroup mems)
  std::vector<NodeDistance> distances;
};

struct Package {
  std::int64_t id = 0;
  CpuSet cpus;
  CpuSet allowed_cpus;
  std::vector<unsigned> nodes;
};

struct Core {
  std::int64_t package = 0;
  std::int64_t die = 0;
  std::int64_t id = 0;
  CpuSet cpus;
  CpuSet allowed_cpus;
};

struct Cpu {
  unsigned id = 0;
  std::int64_t package = 0;
  std::int64_t die = 0;
  std::int64_t core = 0;
  std::optional<unsigned> node;
  CpuSet siblings;
  bool allowed = false;
};

enum class NumaSource { kSysfs, kSingleNode };

struct Topology {
  NumaSource numa = NumaSource::kSysfs;
  CpuSet possible_cpus;
  CpuSet online_cpus;
  CpuSet offline_cpus;
  CpuSet thread_cpus;                 // the calling thread's affinity mask
  std::optional<CpuSet> cgroup_cpus;  // cgroup cpuset, when one was found
  CpuSet allowed_cpus;                // online ∩ thread ∩ cgroup
  std::optional<CpuSet> thread_mems;  // Mems_allowed_list, when readable
  std::optional<CpuSet> cgroup_mems;
  CpuSet allowed_nodes;               // nodes with memory ∩ thread mems ∩ cgroup mems
  std::vector<Package> packages;
  std::vector<NumaNode> nodes;
  std::vector<Core> cores;
  std::vector<Cpu> cpus;
};

struct TopologyOptions {
  // Filesystem root holding sys/ and proc/; "/" for the live machine.
  std::string root = "/";
  // The calling thread's mask when the caller already has it (sched_getaffinity); otherwise it is read
  // from <root>/proc/thread-self/status.
  std::optional<CpuSet> thread_cpus;
};

// Throws TopologyError when the tree lacks what every Linux system has (the CPU list) or a file holds
// something unparseable.
Topology read_topology(const TopologyOptions& options);

class TopologyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The cgroup cpuset of the calling process ("cpus" / "mems"), resolved through mountinfo; nullopt
// when no cpuset controller is visible.
struct CgroupCpuset {
  std::optional<CpuSet> cpus;
  std::optional<CpuSet> mems;
};
CgroupCpuset read_cgroup_cpuset(const std::string& root);

// Canonical JSON of a topology, the same shape the TypeScript API returns.
std::string topology_to_json(const Topology& topology);

}  // namespace schedscope
