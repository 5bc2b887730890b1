// JSON text of a topology, in the shape the TypeScript API returns; lets the C++ core be checked
// against the same expected files as the addon and the fallback without any Node in the loop.
#include <cmath>
#include <cstdio>

#include "topology.h"

namespace schedscope {

namespace {

void append_ids(std::string& out, const std::vector<unsigned>& ids) {
  out += '[';
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
}

void append_set(std::string& out, const CpuSet& set) { append_ids(out, set.to_vector()); }

void append_optional_set(std::string& out, const std::optional<CpuSet>& set) {
  if (set) append_set(out, *set);
  else out += "null";
}

void append_number(std::string& out, const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) {
    out += "null";
    return;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.0f", *value);
  out += buffer;
}

void key(std::string& out, const char* name, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
}

}  // namespace

std::string topology_to_json(const Topology& t) {
  std::string out = "{";
  key(out, "numa", true);
  out += t.numa == NumaSource::kSysfs ? "\"sysfs\"" : "\"single-node\"";
  key(out, "possibleCpus");
  append_set(out, t.possible_cpus);
  key(out, "onlineCpus");
  append_set(out, t.online_cpus);
  key(out, "offlineCpus");
  append_set(out, t.offline_cpus);
  key(out, "threadCpus");
  append_set(out, t.thread_cpus);
  key(out, "cgroupCpus");
  append_optional_set(out, t.cgroup_cpus);
  key(out, "allowedCpus");
  append_set(out, t.allowed_cpus);
  key(out, "threadMems");
  append_optional_set(out, t.thread_mems);
  key(out, "cgroupMems");
  append_optional_set(out, t.cgroup_mems);
  key(out, "allowedNodes");
  append_set(out, t.allowed_nodes);

  key(out, "packages");
  out += '[';
  for (std::size_t i = 0; i < t.packages.size(); ++i) {
    const Package& p = t.packages[i];
    out += i > 0 ? ",{" : "{";
    key(out, "id", true);
    out += std::to_string(p.id);
    key(out, "cpus");
    append_set(out, p.cpus);
    key(out, "allowedCpus");
    append_set(out, p.allowed_cpus);
    key(out, "nodes");
    append_ids(out, p.nodes);
    out += '}';
  }
  out += ']';

  key(out, "nodes");
  out += '[';
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const NumaNode& n = t.nodes[i];
    out += i > 0 ? ",{" : "{";
    key(out, "id", true);
    out += std::to_string(n.id);
    key(out, "cpus");
    append_set(out, n.cpus);
    key(out, "allowedCpus");
    append_set(out, n.allowed_cpus);
    key(out, "memoryBytes");
    append_number(out, n.memory_bytes);
    key(out, "freeBytes");
    append_number(out, n.free_bytes);
    key(out, "hasMemory");
    out += n.has_memory ? "true" : "false";
    key(out, "memoryAllowed");
    out += n.memory_allowed ? "true" : "false";
    key(out, "distances");
    out += '[';
    for (std::size_t j = 0; j < n.distances.size(); ++j) {
      if (j > 0) out += ',';
      out += "{\"node\":" + std::to_string(n.distances[j].node) + ",\"distance\":" + std::to_string(n.distances[j].distance) + "}";
    }
    out += "]}";
  }
  out += ']';

  key(out, "cores");
  out += '[';
  for (std::size_t i = 0; i < t.cores.size(); ++i) {
    const Core& c = t.cores[i];
    out += i > 0 ? ",{" : "{";
    key(out, "package", true);
    out += std::to_string(c.package);
    key(out, "die");
    out += std::to_string(c.die);
    key(out, "id");
    out += std::to_string(c.id);
    key(out, "cpus");
    append_set(out, c.cpus);
    key(out, "allowedCpus");
    append_set(out, c.allowed_cpus);
    out += '}';
  }
  out += ']';

  key(out, "cpus");
  out += '[';
  for (std::size_t i = 0; i < t.cpus.size(); ++i) {
    const Cpu& c = t.cpus[i];
    out += i > 0 ? ",{" : "{";
    key(out, "id", true);
    out += std::to_string(c.id);
    key(out, "package");
    out += std::to_string(c.package);
    key(out, "die");
    out += std::to_string(c.die);
    key(out, "core");
    out += std::to_string(c.core);
    key(out, "node");
    out += c.node ? std::to_string(*c.node) : "null";
    key(out, "siblings");
    append_set(out, c.siblings);
    key(out, "allowed");
    out += c.allowed ? "true" : "false";
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace schedscope
