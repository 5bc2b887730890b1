// Prints the C++ core's topology of a filesystem root as JSON, so test/native/topology.test.ts can
// compare the core itself (no Node-API in between) with the same expected.json files as the addon
// and the TypeScript fallback. Usage: schedscope_topology_dump <root>...
#include <iostream>

#include "topology.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: schedscope_topology_dump <root>...\n";
    return 2;
  }
  std::cout << "[";
  for (int i = 1; i < argc; ++i) {
    schedscope::TopologyOptions options;
    options.root = argv[i];
    try {
      std::cout << (i > 1 ? "," : "") << schedscope::topology_to_json(schedscope::read_topology(options));
    } catch (const std::exception& e) {
      std::cerr << argv[i] << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cout << "]\n";
  return 0;
}
