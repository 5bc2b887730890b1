// A set of CPU (or NUMA node) ids and the kernel's list syntax for it ("0-3,8,10-11").
// Used for every mask the core reads or writes, so parsing rules live in exactly one place.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace schedscope {

// Ids above this are rejected while parsing: Linux's NR_CPUS and MAX_NUMNODES stay far below it, and
// the bound keeps a hostile "0-4294967295" from allocating gigabytes.
inline constexpr unsigned kMaxId = (1u << 20) - 1;

class CpuListError : public std::invalid_argument {
 public:
  CpuListError(const std::string& reason, std::size_t position)
      : std::invalid_argument(reason + " at character " + std::to_string(position)),
        reason_(reason),
        position_(position) {}
  const std::string& reason() const { return reason_; }
  std::size_t position() const { return position_; }

 private:
  std::string reason_;
  std::size_t position_;
};

class CpuSet {
 public:
  CpuSet() = default;
  static CpuSet of(std::initializer_list<unsigned> ids);
  static CpuSet from_vector(const std::vector<unsigned>& ids);

  void add(unsigned id);
  void add_range(unsigned first, unsigned last);
  bool contains(unsigned id) const;
  bool empty() const;
  std::size_t count() const;
  // Highest id in the set; only meaningful when !empty().
  unsigned max() const;

  CpuSet intersect(const CpuSet& other) const;
  CpuSet unite(const CpuSet& other) const;
  CpuSet minus(const CpuSet& other) const;
  bool operator==(const CpuSet& other) const;
  bool operator!=(const CpuSet& other) const { return !(*this == other); }

  std::vector<unsigned> to_vector() const;
  // The kernel's list syntax, ranges collapsed ("0-3,8"); "" for the empty set.
  std::string to_list() const;

  // Raw 64-bit words, bit i of word w = id 64*w+i; the layout sched_setaffinity and set_mempolicy use.
  const std::vector<std::uint64_t>& words() const { return words_; }
  static CpuSet from_words(const std::uint64_t* words, std::size_t count);

 private:
  void trim();
  std::vector<std::uint64_t> words_;  // no trailing zero words, so == is word comparison
};

// Parses the kernel's list format as found in sysfs and /proc ("0-3,8-11\n"). Surrounding
// whitespace is allowed; empty text is the empty set. Anything else (empty items, reversed ranges,
// signs, strides, ids above kMaxId) throws CpuListError.
CpuSet parse_cpu_list(std::string_view text);

}  // namespace schedscope
