#include "topology.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace schedscope {

namespace {

namespace fs = std::filesystem;

// sysfs and procfs files are small; the cap keeps a fake or hostile tree from making us read gigabytes.
constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string join(const std::string& root, const std::string& relative) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string rel = relative;
  while (!rel.empty() && rel.front() == '/') rel.erase(rel.begin());
  if (base == "/") return "/" + rel;
  return rel.empty() ? base : base + "/" + rel;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  char buffer[4096];
  while (in) {
    in.read(buffer, sizeof buffer);
    data.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (data.size() > kMaxFileBytes) throw TopologyError(path + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
  }
  return data;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::optional<CpuSet> read_list(const std::string& path) {
  std::optional<std::string> text = read_file(path);
  if (!text) return std::nullopt;
  try {
    return parse_cpu_list(*text);
  } catch (const CpuListError& e) {
    throw TopologyError(path + ": " + e.what());
  }
}

std::string trim(std::string_view text) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return std::string(text.substr(b, e - b));
}

// A signed decimal integer filling the whole (trimmed) text.
std::optional<std::int64_t> parse_int(std::string_view raw) {
  std::string text = trim(raw);
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
    if (text.size() == 1) return std::nullopt;
  }
  std::int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

std::optional<std::int64_t> read_int(const std::string& path) {
  std::optional<std::string> text = read_file(path);
  if (!text) return std::nullopt;
  std::optional<std::int64_t> value = parse_int(*text);
  if (!value) throw TopologyError(path + ": not an integer");
  return value;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, at - start));
    start = at + 1;
  }
}

std::vector<std::string> split_ws(std::string_view text) {
  std::vector<std::string> parts;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) parts.push_back(word);
  return parts;
}

// Ids of <dir>/<prefix><N> entries, e.g. cpu0, cpu1 or node0.
CpuSet numbered_entries(const std::string& dir, const std::string& prefix) {
  CpuSet ids;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return ids;
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    if (digits.size() > 7) continue;
    unsigned long id = std::stoul(digits);
    if (id <= kMaxId) ids.add(static_cast<unsigned>(id));
  }
  return ids;
}

// "Key:\tvalue" lines of /proc/<pid>/status.
std::optional<std::string> status_field(const std::string& status, const std::string& key) {
  for (const std::string& line : split(status, '\n')) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ':') {
      return trim(std::string_view(line).substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

CpuSet parse_status_list(const std::string& text, const std::string& field) {
  try {
    return parse_cpu_list(text);
  } catch (const CpuListError& e) {
    throw TopologyError("proc/thread-self/status " + field + ": " + e.what());
  }
}

// "Node 0 MemTotal:       4548828 kB" → bytes.
std::optional<double> meminfo_bytes(const std::string& text, const std::string& key) {
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> words = split_ws(line);
    // Per-node files prefix "Node N"; /proc/meminfo does not.
    std::size_t k = (words.size() >= 2 && words[0] == "Node") ? 2 : 0;
    if (words.size() < k + 2 || words[k] != key + ":") continue;
    std::optional<std::int64_t> value = parse_int(words[k + 1]);
    if (!value || *value < 0) return std::nullopt;
    double scale = (words.size() > k + 2 && words[k + 2] == "kB") ? 1024.0 : 1.0;
    return static_cast<double>(*value) * scale;
  }
  return std::nullopt;
}

// mountinfo escapes blanks in paths as octal (\040).
std::string unescape_mount_path(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      std::string oct = text.substr(i + 1, 3);
      if (oct.size() == 3 && std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

struct CgroupMount {
  std::string mount_root;
  std::string mount_point;
};

// Cgroup paths come from the kernel, but a fake or odd tree must not walk us out of the mount.
bool is_safe_cgroup_path(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  for (const std::string& part : split(path, '/')) {
    if (part == "..") return false;
  }
  return true;
}

std::string parent_path(const std::string& path) {
  std::size_t at = path.find_last_of('/');
  if (at == std::string::npos || at == 0) return "/";
  return path.substr(0, at);
}

std::optional<CpuSet> read_cpuset_file(const std::string& root, const CgroupMount& mount, const std::string& cgroup_path,
                                       const std::vector<std::string>& names) {
  std::string relative = "/";
  if (is_safe_cgroup_path(cgroup_path)) {
    if (mount.mount_root == "/") {
      relative = cgroup_path;
    } else if (cgroup_path == mount.mount_root) {
      relative = "/";
    } else if (cgroup_path.compare(0, mount.mount_root.size() + 1, mount.mount_root + "/") == 0) {
      relative = cgroup_path.substr(mount.mount_root.size());
    }
  }
  std::string mount_point = mount.mount_point;
  while (mount_point.size() > 1 && mount_point.back() == '/') mount_point.pop_back();
  std::string dir = relative == "/" ? mount_point : (mount_point == "/" ? relative : mount_point + relative);
  // A cgroup v2 child shows cpuset files only where the controller is enabled: walk up to the mount.
  while (true) {
    for (const std::string& name : names) {
      std::string path = join(root, dir + "/" + name);
      if (exists(path)) return read_list(path);
    }
    if (dir == mount_point || dir.size() <= mount_point.size()) break;
    dir = parent_path(dir);
  }
  return std::nullopt;
}

}  // namespace

CgroupCpuset read_cgroup_cpuset(const std::string& root) {
  CgroupCpuset result;
  std::optional<std::string> mountinfo = read_file(join(root, "proc/self/mountinfo"));
  std::optional<std::string> cgroups = read_file(join(root, "proc/self/cgroup"));
  if (!mountinfo || !cgroups) return result;

  std::optional<CgroupMount> v1;
  std::optional<CgroupMount> v2;
  for (const std::string& line : split(*mountinfo, '\n')) {
    std::vector<std::string> fields = split_ws(line);
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (dash == fields.end() || fields.size() < 5 || fields.end() - dash < 4) continue;
    const std::string& fstype = *(dash + 1);
    const std::string& super_options = *(dash + 3);
    CgroupMount mount{unescape_mount_path(fields[3]), unescape_mount_path(fields[4])};
    if (fstype == "cgroup2" && !v2) v2 = mount;
    if (fstype == "cgroup" && !v1) {
      std::vector<std::string> options = split(super_options, ',');
      if (std::find(options.begin(), options.end(), "cpuset") != options.end()) v1 = mount;
    }
  }

  std::optional<std::string> v1_path;
  std::optional<std::string> v2_path;
  for (const std::string& line : split(*cgroups, '\n')) {
    std::size_t first = line.find(':');
    if (first == std::string::npos) continue;
    std::size_t second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string hierarchy = line.substr(0, first);
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (hierarchy == "0" && controllers.empty()) {
      v2_path = path;
    } else {
      std::vector<std::string> list = split(controllers, ',');
      if (std::find(list.begin(), list.end(), "cpuset") != list.end()) v1_path = path;
    }
  }

  // A hybrid system mounts both; only the v1 hierarchy then carries the cpuset controller.
  if (v1 && v1_path) {
    result.cpus = read_cpuset_file(root, *v1, *v1_path, {"cpuset.effective_cpus", "cpuset.cpus"});
    result.mems = read_cpuset_file(root, *v1, *v1_path, {"cpuset.effective_mems", "cpuset.mems"});
  } else if (v2 && v2_path) {
    result.cpus = read_cpuset_file(root, *v2, *v2_path, {"cpuset.cpus.effective"});
    result.mems = read_cpuset_file(root, *v2, *v2_path, {"cpuset.mems.effective"});
  }
  return result;
}

Topology read_topology(const TopologyOptions& options) {
  const std::string& root = options.root;
  const std::string cpu_dir = join(root, "sys/devices/system/cpu");
  const std::string node_dir = join(root, "sys/devices/system/node");
  Topology topo;

  std::optional<CpuSet> possible = read_list(cpu_dir + "/possible");
  topo.possible_cpus = possible ? *possible : numbered_entries(cpu_dir, "cpu");
  if (topo.possible_cpus.empty()) throw TopologyError(cpu_dir + ": no CPUs found");
  std::optional<CpuSet> online = read_list(cpu_dir + "/online");
  topo.online_cpus = online ? *online : topo.possible_cpus;
  topo.offline_cpus = topo.possible_cpus.minus(topo.online_cpus);

  std::optional<std::string> status = read_file(join(root, "proc/thread-self/status"));
  if (!status) status = read_file(join(root, "proc/self/status"));
  if (options.thread_cpus) {
    topo.thread_cpus = *options.thread_cpus;
  } else {
    std::optional<std::string> field = status ? status_field(*status, "Cpus_allowed_list") : std::nullopt;
    topo.thread_cpus = field ? parse_status_list(*field, "Cpus_allowed_list") : topo.possible_cpus;
  }
  if (status) {
    std::optional<std::string> mems = status_field(*status, "Mems_allowed_list");
    if (mems) topo.thread_mems = parse_status_list(*mems, "Mems_allowed_list");
  }
  CgroupCpuset cgroup = read_cgroup_cpuset(root);
  topo.cgroup_cpus = cgroup.cpus;
  topo.cgroup_mems = cgroup.mems;
  topo.allowed_cpus = topo.online_cpus.intersect(topo.thread_cpus);
  if (topo.cgroup_cpus) topo.allowed_cpus = topo.allowed_cpus.intersect(*topo.cgroup_cpus);

  // NUMA nodes.
  if (exists(node_dir)) {
    topo.numa = NumaSource::kSysfs;
    CpuSet node_ids = numbered_entries(node_dir, "node");
    std::optional<CpuSet> online_nodes = read_list(node_dir + "/online");
    // nodeN/distance lists one value per online node, in id order.
    std::vector<unsigned> distance_order = (online_nodes ? *online_nodes : node_ids).to_vector();
    std::optional<CpuSet> has_memory = read_list(node_dir + "/has_memory");
    for (unsigned id : node_ids.to_vector()) {
      std::string dir = node_dir + "/node" + std::to_string(id);
      NumaNode node;
      node.id = id;
      std::optional<CpuSet> cpus = read_list(dir + "/cpulist");
      node.cpus = cpus ? cpus->intersect(topo.online_cpus) : CpuSet();
      node.allowed_cpus = node.cpus.intersect(topo.allowed_cpus);
      std::optional<std::string> meminfo = read_file(dir + "/meminfo");
      if (meminfo) {
        node.memory_bytes = meminfo_bytes(*meminfo, "MemTotal");
        node.free_bytes = meminfo_bytes(*meminfo, "MemFree");
      }
      node.has_memory = has_memory ? has_memory->contains(id) : (node.memory_bytes.value_or(0) > 0);
      std::optional<std::string> distance = read_file(dir + "/distance");
      if (distance) {
        std::vector<std::string> values = split_ws(*distance);
        for (std::size_t i = 0; i < values.size() && i < distance_order.size(); ++i) {
          std::optional<std::int64_t> value = parse_int(values[i]);
          if (!value || *value < 0) throw TopologyError(dir + "/distance: not a list of distances");
          node.distances.push_back({distance_order[i], static_cast<unsigned>(*value)});
        }
      }
      topo.nodes.push_back(std::move(node));
    }
  } else {
    // Containers and single-node kernels without CONFIG_NUMA have no node directory: one node holds
    // every CPU and all memory.
    topo.numa = NumaSource::kSingleNode;
    NumaNode node;
    node.id = 0;
    node.cpus = topo.online_cpus;
    node.allowed_cpus = topo.allowed_cpus;
    std::optional<std::string> meminfo = read_file(join(root, "proc/meminfo"));
    if (meminfo) {
      node.memory_bytes = meminfo_bytes(*meminfo, "MemTotal");
      node.free_bytes = meminfo_bytes(*meminfo, "MemFree");
    }
    node.has_memory = true;
    node.distances.push_back({0, 10});
    topo.nodes.push_back(std::move(node));
  }

  CpuSet memory_nodes;
  for (const NumaNode& node : topo.nodes) {
    if (node.has_memory) memory_nodes.add(node.id);
  }
  // Without a node directory the kernel still reports Mems_allowed for node 0 only; a single-node
  // view must not be emptied by a cpuset that names host nodes we cannot see.
  topo.allowed_nodes = memory_nodes;
  if (topo.numa == NumaSource::kSysfs) {
    if (topo.thread_mems) topo.allowed_nodes = topo.allowed_nodes.intersect(*topo.thread_mems);
    if (topo.cgroup_mems) topo.allowed_nodes = topo.allowed_nodes.intersect(*topo.cgroup_mems);
  }
  for (NumaNode& node : topo.nodes) node.memory_allowed = topo.allowed_nodes.contains(node.id);

  // CPUs, cores and packages.
  using CoreKey = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
  std::map<CoreKey, Core> cores;
  std::map<std::int64_t, Package> packages;
  for (unsigned id : topo.online_cpus.to_vector()) {
    std::string dir = cpu_dir + "/cpu" + std::to_string(id) + "/topology";
    Cpu cpu;
    cpu.id = id;
    cpu.package = read_int(dir + "/physical_package_id").value_or(0);
    cpu.die = read_int(dir + "/die_id").value_or(0);
    cpu.core = read_int(dir + "/core_id").value_or(id);
    std::optional<CpuSet> siblings = read_list(dir + "/core_cpus_list");
    if (!siblings) siblings = read_list(dir + "/thread_siblings_list");
    cpu.siblings = siblings ? siblings->intersect(topo.online_cpus) : CpuSet();
    cpu.siblings.add(id);
    cpu.allowed = topo.allowed_cpus.contains(id);
    for (const NumaNode& node : topo.nodes) {
      if (node.cpus.contains(id)) {
        cpu.node = node.id;
        break;
      }
    }

    Core& core = cores[CoreKey{cpu.package, cpu.die, cpu.core}];
    core.package = cpu.package;
    core.die = cpu.die;
    core.id = cpu.core;
    core.cpus.add(id);
    if (cpu.allowed) core.allowed_cpus.add(id);

    Package& package = packages[cpu.package];
    package.id = cpu.package;
    package.cpus.add(id);
    if (cpu.allowed) package.allowed_cpus.add(id);
    if (cpu.node && std::find(package.nodes.begin(), package.nodes.end(), *cpu.node) == package.nodes.end()) {
      package.nodes.push_back(*cpu.node);
    }
    topo.cpus.push_back(std::move(cpu));
  }
  for (auto& [key, core] : cores) topo.cores.push_back(std::move(core));
  for (auto& [key, package] : packages) {
    std::sort(package.nodes.begin(), package.nodes.end());
    topo.packages.push_back(std::move(package));
  }
  return topo;
}

}  // namespace schedscope
