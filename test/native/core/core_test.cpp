// Unit tests of the C++ core, without Node: the cpuset-list parser (hostile input included), set
// operations, topology of the fake trees in test/native/sysfs, and the calling thread's syscalls.
#include <gtest/gtest.h>
#include <sched.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cpu_set.h"
#include "thread_control.h"
#include "topology.h"

using schedscope::CpuListError;
using schedscope::CpuSet;
using schedscope::parse_cpu_list;
using Ids = std::vector<unsigned>;

namespace {

schedscope::Topology tree(const std::string& name) {
  schedscope::TopologyOptions options;
  options.root = std::string(SCHEDSCOPE_FAKE_SYSFS_DIR) + "/" + name;
  return schedscope::read_topology(options);
}

}  // namespace

TEST(CpuList, ParsesKernelFormat) {
  EXPECT_EQ(parse_cpu_list("0-3,8-11\n").to_vector(), (Ids{0, 1, 2, 3, 8, 9, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5").to_vector(), (Ids{5}));
  EXPECT_EQ(parse_cpu_list("0,2,4").to_vector(), (Ids{0, 2, 4}));
  EXPECT_EQ(parse_cpu_list("  7-7 \n").to_vector(), (Ids{7}));
  EXPECT_EQ(parse_cpu_list("3,1,2").to_vector(), (Ids{1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("1-2,2-3").to_vector(), (Ids{1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("63-65").to_vector(), (Ids{63, 64, 65}));
}

TEST(CpuList, EmptyTextIsEmptySet) {
  EXPECT_TRUE(parse_cpu_list("").empty());
  EXPECT_TRUE(parse_cpu_list("\n").empty());
  EXPECT_TRUE(parse_cpu_list(" \t\n").empty());
}

TEST(CpuList, RejectsHostileInput) {
  const char* bad[] = {",", "1,", ",1", "1,,2", "3-1", "-1", "1-", "-", "a", "0x1", "1 2", "1-2-3", "+1",
                       "0-7:2", "1.5", "1\n2", "99999999999999999999", "1048576", "0-1048576", "\xff"};
  for (const char* text : bad) {
    EXPECT_THROW(parse_cpu_list(text), CpuListError) << "input: " << text;
  }
  // A NUL inside the text is not a terminator.
  EXPECT_THROW(parse_cpu_list(std::string_view("1\0" "2", 3)), CpuListError);
}

TEST(CpuList, ReportsWhereParsingFailed) {
  try {
    parse_cpu_list("0-3,x");
    FAIL() << "expected CpuListError";
  } catch (const CpuListError& e) {
    EXPECT_EQ(e.position(), 4u);
  }
}

TEST(CpuList, LargestIdIsAcceptedAndBounded) {
  CpuSet set = parse_cpu_list("1048575");
  EXPECT_EQ(set.max(), schedscope::kMaxId);
  EXPECT_EQ(set.count(), 1u);
  EXPECT_EQ(parse_cpu_list("0-1048575").count(), 1048576u);
}

TEST(CpuList, FormatsRanges) {
  EXPECT_EQ(CpuSet::of({0, 1, 2, 3, 8, 10, 11}).to_list(), "0-3,8,10-11");
  EXPECT_EQ(CpuSet().to_list(), "");
  for (const char* text : {"0", "0-1", "1,3,5-6", "64-127,200"}) {
    EXPECT_EQ(parse_cpu_list(text).to_list(), text);
  }
}

TEST(CpuSet, SetOperations) {
  CpuSet a = CpuSet::of({0, 1, 2, 70});
  CpuSet b = CpuSet::of({1, 2, 3});
  EXPECT_EQ(a.intersect(b).to_vector(), (Ids{1, 2}));
  EXPECT_EQ(a.unite(b).to_vector(), (Ids{0, 1, 2, 3, 70}));
  EXPECT_EQ(a.minus(b).to_vector(), (Ids{0, 70}));
  EXPECT_EQ(b.minus(a).to_vector(), (Ids{3}));
  // Equality ignores how many zero words an operation left behind.
  EXPECT_EQ(a.intersect(b), CpuSet::of({1, 2}));
  EXPECT_TRUE(CpuSet::of({70}).minus(CpuSet::of({70})).empty());
  EXPECT_THROW(CpuSet().add(schedscope::kMaxId + 1), std::out_of_range);
}

TEST(Topology, TwoSocketsTwoNodesEach) {
  schedscope::Topology t = tree("two-socket");
  ASSERT_EQ(t.packages.size(), 2u);
  EXPECT_EQ(t.packages[0].cpus.to_list(), "0-3,8-11");
  EXPECT_EQ(t.packages[0].nodes, (Ids{0, 1}));
  EXPECT_EQ(t.packages[1].nodes, (Ids{2, 3}));
  ASSERT_EQ(t.nodes.size(), 4u);
  EXPECT_EQ(t.nodes[2].cpus.to_list(), "4-5,12-13");
  EXPECT_EQ(t.nodes[0].distances.size(), 4u);
  EXPECT_EQ(t.nodes[0].distances[1].distance, 12u);
  EXPECT_EQ(t.nodes[0].distances[3].distance, 32u);
  EXPECT_EQ(*t.nodes[1].memory_bytes, 16.0 * 1024 * 1024 * 1024);
  // Core ids restart per package: eight cores, not four.
  ASSERT_EQ(t.cores.size(), 8u);
  EXPECT_EQ(t.cores[4].package, 1);
  EXPECT_EQ(t.cores[4].id, 0);
  EXPECT_EQ(t.cores[4].cpus.to_list(), "4,12");
  // The session cgroup has no cpuset files; the root's are found by walking up.
  ASSERT_TRUE(t.cgroup_cpus.has_value());
  EXPECT_EQ(t.cgroup_cpus->to_list(), "0-15");
  EXPECT_EQ(t.allowed_cpus.to_list(), "0-15");
}

TEST(Topology, SmtSiblingsFromOlderKernels) {
  schedscope::Topology t = tree("smt");
  ASSERT_EQ(t.cores.size(), 4u);
  EXPECT_EQ(t.cores[2].id, 4);
  EXPECT_EQ(t.cores[2].cpus.to_list(), "2,6");
  EXPECT_EQ(t.cpus[6].siblings.to_list(), "2,6");
  EXPECT_FALSE(t.cgroup_cpus.has_value());
}

TEST(Topology, OfflineCpusAndCpulessNode) {
  schedscope::Topology t = tree("offline-cpus");
  EXPECT_EQ(t.online_cpus.to_list(), "0-5,7");
  EXPECT_EQ(t.offline_cpus.to_list(), "6");
  EXPECT_EQ(t.cpus.size(), 7u);
  ASSERT_EQ(t.nodes.size(), 3u);
  EXPECT_EQ(t.nodes[1].id, 1u);
  EXPECT_TRUE(t.nodes[1].cpus.empty());
  EXPECT_TRUE(t.nodes[1].has_memory);
  EXPECT_EQ(t.nodes[2].id, 3u);
  EXPECT_EQ(t.nodes[2].cpus.to_list(), "4-5,7");
  EXPECT_EQ(t.nodes[2].distances[1].node, 1u);
  EXPECT_EQ(t.nodes[2].distances[2].node, 3u);
  EXPECT_EQ(t.nodes[2].distances[2].distance, 10u);
}

TEST(Topology, RestrictedCpusetAndThreadMask) {
  schedscope::Topology t = tree("restricted-cpuset");
  EXPECT_EQ(t.thread_cpus.to_list(), "0-3,6");
  ASSERT_TRUE(t.cgroup_cpus.has_value());
  EXPECT_EQ(t.cgroup_cpus->to_list(), "2-5");
  EXPECT_EQ(t.allowed_cpus.to_list(), "2-3");
  EXPECT_EQ(t.allowed_nodes.to_list(), "1");
  EXPECT_FALSE(t.nodes[0].memory_allowed);
  EXPECT_TRUE(t.nodes[1].memory_allowed);
  EXPECT_EQ(t.nodes[0].allowed_cpus.to_list(), "2-3");
  EXPECT_TRUE(t.nodes[1].allowed_cpus.empty());
}

TEST(Topology, ContainerWithoutNodeDirectoryIsOneNode) {
  schedscope::Topology t = tree("container-no-node");
  EXPECT_EQ(t.numa, schedscope::NumaSource::kSingleNode);
  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].cpus.to_list(), "0-3");
  EXPECT_EQ(t.nodes[0].allowed_cpus.to_list(), "1-2");
  EXPECT_EQ(*t.nodes[0].memory_bytes, 8.0 * 1024 * 1024 * 1024);
  ASSERT_TRUE(t.cgroup_cpus.has_value());
  EXPECT_EQ(t.cgroup_cpus->to_list(), "1-2");
}

TEST(Topology, JsonIsOneObjectPerTree) {
  std::string json = schedscope::topology_to_json(tree("restricted-cpuset"));
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_NE(json.find("\"allowedCpus\":[2,3]"), std::string::npos);
  EXPECT_NE(json.find("\"cgroupCpus\":[2,3,4,5]"), std::string::npos);
}

TEST(Topology, MissingTreeIsAnErrorNotACrash) {
  schedscope::TopologyOptions options;
  options.root = "/nonexistent/schedscope";
  EXPECT_THROW(schedscope::read_topology(options), schedscope::TopologyError);
}

TEST(Topology, CorruptFileIsAnError) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("schedscope-corrupt-" + std::to_string(getpid()));
  fs::create_directories(root / "sys/devices/system/cpu");
  {
    std::FILE* f = std::fopen((root / "sys/devices/system/cpu/possible").c_str(), "w");
    std::fputs("0-3,garbage\n", f);
    std::fclose(f);
  }
  schedscope::TopologyOptions options;
  options.root = root.string();
  EXPECT_THROW(schedscope::read_topology(options), schedscope::TopologyError);
  fs::remove_all(root);
}

TEST(Topology, LiveMachineMatchesKernelMask) {
  schedscope::TopologyOptions options;
  options.thread_cpus = schedscope::get_thread_affinity();
  schedscope::Topology t = schedscope::read_topology(options);
  EXPECT_FALSE(t.allowed_cpus.empty());
  EXPECT_FALSE(t.nodes.empty());
  EXPECT_EQ(t.allowed_cpus.minus(*options.thread_cpus).count(), 0u);
}

TEST(ThreadControl, AffinityIsPerThread) {
  CpuSet original = schedscope::get_thread_affinity();
  unsigned target = original.to_vector().back();
  CpuSet seen_in_thread;
  unsigned cpu_in_thread = 9999;
  std::thread worker([&] {
    schedscope::set_thread_affinity(CpuSet::of({target}));
    seen_in_thread = schedscope::get_thread_affinity();
    cpu_in_thread = schedscope::current_cpu();
  });
  worker.join();
  EXPECT_EQ(seen_in_thread, CpuSet::of({target}));
  EXPECT_EQ(cpu_in_thread, target);
  EXPECT_EQ(schedscope::get_thread_affinity(), original);
}

TEST(ThreadControl, EmptyMaskIsRefused) {
  try {
    schedscope::set_thread_affinity(CpuSet());
    FAIL() << "expected SyscallError";
  } catch (const schedscope::SyscallError& e) {
    EXPECT_EQ(e.error_number(), EINVAL);
  }
}

TEST(ThreadControl, ThreadIdsDiffer) {
  long main_tid = schedscope::current_thread_id();
  long other_tid = 0;
  std::thread worker([&] { other_tid = schedscope::current_thread_id(); });
  worker.join();
  EXPECT_EQ(main_tid, static_cast<long>(getpid()));
  EXPECT_NE(other_tid, main_tid);
  EXPECT_GT(other_tid, 0);
}

TEST(ThreadControl, MemoryPolicyRoundTripOrPermissionError) {
  std::thread worker([] {
    try {
      schedscope::set_memory_policy(schedscope::MemoryPolicyMode::kBind, CpuSet::of({0}));
    } catch (const schedscope::SyscallError& e) {
      // Containers without CAP_SYS_NICE refuse the call; that must surface as EPERM, not a crash.
      EXPECT_EQ(e.error_number(), EPERM) << e.what();
      return;
    }
    schedscope::MemoryPolicy policy = schedscope::get_memory_policy();
    EXPECT_EQ(policy.mode, schedscope::MemoryPolicyMode::kBind);
    EXPECT_EQ(policy.nodes, CpuSet::of({0}));
    schedscope::set_memory_policy(schedscope::MemoryPolicyMode::kLocal, CpuSet());
    EXPECT_EQ(schedscope::get_memory_policy().mode, schedscope::MemoryPolicyMode::kLocal);
    schedscope::set_memory_policy(schedscope::MemoryPolicyMode::kDefault, CpuSet());
    EXPECT_EQ(schedscope::get_memory_policy().mode, schedscope::MemoryPolicyMode::kDefault);
  });
  worker.join();
}

TEST(ThreadControl, PageQueryReportsTouchedAndUntouchedPages) {
  const std::size_t page = schedscope::page_size();
  std::vector<int> status;
  void* raw = nullptr;
  ASSERT_EQ(posix_memalign(&raw, page, page * 4), 0);
  char* bytes = static_cast<char*>(raw);
  bytes[0] = 1;
  bytes[2 * page] = 1;
  try {
    status = schedscope::query_page_nodes(bytes, page * 4);
  } catch (const schedscope::SyscallError& e) {
    EXPECT_EQ(e.error_number(), EPERM) << e.what();
    free(raw);
    return;
  }
  ASSERT_EQ(status.size(), 4u);
  EXPECT_GE(status[0], 0);
  EXPECT_GE(status[2], 0);
  // An empty range asks the kernel nothing.
  EXPECT_TRUE(schedscope::query_page_nodes(bytes, 0).empty());
  // Unaligned start: the page containing it counts.
  EXPECT_EQ(schedscope::query_page_nodes(bytes + 10, page).size(), 2u);
  free(raw);
}
