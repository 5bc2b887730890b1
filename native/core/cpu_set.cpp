#include "cpu_set.h"

#include <algorithm>
#include <bit>

namespace schedscope {

CpuSet CpuSet::of(std::initializer_list<unsigned> ids) {
  CpuSet set;
  for (unsigned id : ids) set.add(id);
  return set;
}

CpuSet CpuSet::from_vector(const std::vector<unsigned>& ids) {
  CpuSet set;
  for (unsigned id : ids) set.add(id);
  return set;
}

CpuSet CpuSet::from_words(const std::uint64_t* words, std::size_t count) {
  CpuSet set;
  set.words_.assign(words, words + count);
  set.trim();
  return set;
}

void CpuSet::add(unsigned id) {
  if (id > kMaxId) throw std::out_of_range("id " + std::to_string(id) + " is above the supported maximum");
  std::size_t word = id / 64;
  if (words_.size() <= word) words_.resize(word + 1, 0);
  words_[word] |= std::uint64_t{1} << (id % 64);
}

void CpuSet::add_range(unsigned first, unsigned last) {
  for (unsigned id = first; id <= last; ++id) add(id);
}

bool CpuSet::contains(unsigned id) const {
  std::size_t word = id / 64;
  return word < words_.size() && ((words_[word] >> (id % 64)) & 1u) != 0;
}

bool CpuSet::empty() const { return words_.empty(); }

std::size_t CpuSet::count() const {
  std::size_t total = 0;
  for (std::uint64_t w : words_) total += static_cast<std::size_t>(std::popcount(w));
  return total;
}

unsigned CpuSet::max() const {
  if (words_.empty()) return 0;
  std::uint64_t top = words_.back();
  return static_cast<unsigned>((words_.size() - 1) * 64 + (63 - std::countl_zero(top)));
}

void CpuSet::trim() {
  while (!words_.empty() && words_.back() == 0) words_.pop_back();
}

CpuSet CpuSet::intersect(const CpuSet& other) const {
  CpuSet out;
  std::size_t n = std::min(words_.size(), other.words_.size());
  out.words_.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.words_[i] = words_[i] & other.words_[i];
  out.trim();
  return out;
}

CpuSet CpuSet::unite(const CpuSet& other) const {
  CpuSet out;
  out.words_.resize(std::max(words_.size(), other.words_.size()), 0);
  for (std::size_t i = 0; i < words_.size(); ++i) out.words_[i] |= words_[i];
  for (std::size_t i = 0; i < other.words_.size(); ++i) out.words_[i] |= other.words_[i];
  return out;
}

CpuSet CpuSet::minus(const CpuSet& other) const {
  CpuSet out = *this;
  std::size_t n = std::min(words_.size(), other.words_.size());
  for (std::size_t i = 0; i < n; ++i) out.words_[i] &= ~other.words_[i];
  out.trim();
  return out;
}

bool CpuSet::operator==(const CpuSet& other) const { return words_ == other.words_; }

std::vector<unsigned> CpuSet::to_vector() const {
  std::vector<unsigned> ids;
  for (std::size_t w = 0; w < words_.size(); ++w) {
    std::uint64_t bits = words_[w];
    while (bits != 0) {
      int bit = std::countr_zero(bits);
      ids.push_back(static_cast<unsigned>(w * 64 + static_cast<std::size_t>(bit)));
      bits &= bits - 1;
    }
  }
  return ids;
}

std::string CpuSet::to_list() const {
  std::string out;
  std::vector<unsigned> ids = to_vector();
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += '-' + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Reads one decimal id at text[pos]; leaves pos after it.
unsigned read_id(std::string_view text, std::size_t& pos, std::size_t offset) {
  std::size_t start = pos;
  std::uint64_t value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
    if (value > kMaxId) throw CpuListError("id above the supported maximum " + std::to_string(kMaxId), offset + start);
    ++pos;
  }
  if (pos == start) {
    if (pos >= text.size()) throw CpuListError("expected a number, found the end", offset + pos);
    throw CpuListError(std::string("expected a number, found '") + text[pos] + "'", offset + pos);
  }
  return static_cast<unsigned>(value);
}

}  // namespace

CpuSet parse_cpu_list(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  std::string_view body = text.substr(begin, end - begin);
  CpuSet set;
  if (body.empty()) return set;
  std::size_t pos = 0;
  while (true) {
    unsigned first = read_id(body, pos, begin);
    unsigned last = first;
    if (pos < body.size() && body[pos] == '-') {
      ++pos;
      last = read_id(body, pos, begin);
      if (last < first) {
        throw CpuListError("range " + std::to_string(first) + "-" + std::to_string(last) + " is reversed", begin + pos);
      }
    }
    set.add_range(first, last);
    if (pos == body.size()) break;
    if (body[pos] != ',') {
      throw CpuListError(std::string("unexpected '") + body[pos] + "'", begin + pos);
    }
    ++pos;
  }
  return set;
}

}  // namespace schedscope
