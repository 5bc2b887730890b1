// The thin Node-API layer over the core: converts arguments, calls one core function, converts the
// result, and turns core exceptions into JS errors with a `code` the TypeScript side maps to typed
// errors. No state lives here, so every worker thread may load the addon at the same time.
#include <napi.h>

#include <cmath>
#include <string>

#include "../core/cpu_set.h"
#include "../core/thread_control.h"
#include "../core/topology.h"

namespace {

using schedscope::CpuSet;

// Bumped whenever a function's shape changes, so the loader can refuse a stale build with a reason
// instead of failing later on a missing function.
constexpr int kInterfaceVersion = 1;

Napi::Error with_code(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  return error;
}

[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message) {
  throw with_code(Napi::TypeError::New(env, message), "ERR_SCHEDSCOPE_INVALID_ARGUMENT");
}

[[noreturn]] void throw_syscall(Napi::Env env, const schedscope::SyscallError& e) {
  Napi::Error error = with_code(Napi::Error::New(env, e.what()), "ERR_SCHEDSCOPE_SYSCALL");
  error.Set("syscall", Napi::String::New(env, e.syscall()));
  error.Set("errno", Napi::String::New(env, schedscope::errno_name(e.error_number())));
  error.Set("errnoNumber", Napi::Number::New(env, e.error_number()));
  throw error;
}

// Runs a core call and converts whatever it throws; nothing escapes as a C++ exception into V8.
template <typename Fn>
auto guarded(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const schedscope::SyscallError& e) {
    throw_syscall(env, e);
  } catch (const schedscope::CpuListError& e) {
    Napi::Error error = with_code(Napi::Error::New(env, e.what()), "ERR_SCHEDSCOPE_CPU_LIST");
    error.Set("reason", Napi::String::New(env, e.reason()));
    error.Set("position", Napi::Number::New(env, static_cast<double>(e.position())));
    throw error;
  } catch (const schedscope::TopologyError& e) {
    throw with_code(Napi::Error::New(env, e.what()), "ERR_SCHEDSCOPE_TOPOLOGY");
  } catch (const std::out_of_range& e) {
    throw_invalid(env, e.what());
  } catch (const std::bad_alloc&) {
    throw with_code(Napi::Error::New(env, "out of memory"), "ERR_SCHEDSCOPE_NO_MEMORY");
  } catch (const std::exception& e) {
    throw with_code(Napi::Error::New(env, e.what()), "ERR_SCHEDSCOPE_INTERNAL");
  }
}

Napi::Array ids_to_js(Napi::Env env, const std::vector<unsigned>& ids) {
  Napi::Array array = Napi::Array::New(env, ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::Number::New(env, ids[i]));
  return array;
}

Napi::Array set_to_js(Napi::Env env, const CpuSet& set) { return ids_to_js(env, set.to_vector()); }

Napi::Value optional_set_to_js(Napi::Env env, const std::optional<CpuSet>& set) {
  return set ? static_cast<Napi::Value>(set_to_js(env, *set)) : env.Null();
}

Napi::Value optional_number(Napi::Env env, const std::optional<double>& value) {
  return value ? static_cast<Napi::Value>(Napi::Number::New(env, *value)) : env.Null();
}

CpuSet ids_from_js(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsArray()) throw_invalid(env, std::string(what) + " must be an array of integers");
  Napi::Array array = value.As<Napi::Array>();
  CpuSet set;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber()) throw_invalid(env, std::string(what) + "[" + std::to_string(i) + "] is not a number");
    double id = item.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(id) || std::trunc(id) != id || id < 0 || id > schedscope::kMaxId) {
      throw_invalid(env, std::string(what) + "[" + std::to_string(i) + "] is not an id between 0 and " +
                             std::to_string(schedscope::kMaxId));
    }
    set.add(static_cast<unsigned>(id));
  }
  return set;
}

std::string string_argument(const Napi::CallbackInfo& info, std::size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsString()) throw_invalid(info.Env(), std::string(what) + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

Napi::Object topology_to_js(Napi::Env env, const schedscope::Topology& t) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("numa", t.numa == schedscope::NumaSource::kSysfs ? "sysfs" : "single-node");
  out.Set("possibleCpus", set_to_js(env, t.possible_cpus));
  out.Set("onlineCpus", set_to_js(env, t.online_cpus));
  out.Set("offlineCpus", set_to_js(env, t.offline_cpus));
  out.Set("threadCpus", set_to_js(env, t.thread_cpus));
  out.Set("cgroupCpus", optional_set_to_js(env, t.cgroup_cpus));
  out.Set("allowedCpus", set_to_js(env, t.allowed_cpus));
  out.Set("threadMems", optional_set_to_js(env, t.thread_mems));
  out.Set("cgroupMems", optional_set_to_js(env, t.cgroup_mems));
  out.Set("allowedNodes", set_to_js(env, t.allowed_nodes));

  Napi::Array packages = Napi::Array::New(env, t.packages.size());
  for (std::size_t i = 0; i < t.packages.size(); ++i) {
    const schedscope::Package& p = t.packages[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, static_cast<double>(p.id)));
    o.Set("cpus", set_to_js(env, p.cpus));
    o.Set("allowedCpus", set_to_js(env, p.allowed_cpus));
    o.Set("nodes", ids_to_js(env, p.nodes));
    packages.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("packages", packages);

  Napi::Array nodes = Napi::Array::New(env, t.nodes.size());
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const schedscope::NumaNode& n = t.nodes[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, n.id));
    o.Set("cpus", set_to_js(env, n.cpus));
    o.Set("allowedCpus", set_to_js(env, n.allowed_cpus));
    o.Set("memoryBytes", optional_number(env, n.memory_bytes));
    o.Set("freeBytes", optional_number(env, n.free_bytes));
    o.Set("hasMemory", Napi::Boolean::New(env, n.has_memory));
    o.Set("memoryAllowed", Napi::Boolean::New(env, n.memory_allowed));
    Napi::Array distances = Napi::Array::New(env, n.distances.size());
    for (std::size_t j = 0; j < n.distances.size(); ++j) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("node", Napi::Number::New(env, n.distances[j].node));
      d.Set("distance", Napi::Number::New(env, n.distances[j].distance));
      distances.Set(static_cast<uint32_t>(j), d);
    }
    o.Set("distances", distances);
    nodes.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("nodes", nodes);

  Napi::Array cores = Napi::Array::New(env, t.cores.size());
  for (std::size_t i = 0; i < t.cores.size(); ++i) {
    const schedscope::Core& c = t.cores[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("package", Napi::Number::New(env, static_cast<double>(c.package)));
    o.Set("die", Napi::Number::New(env, static_cast<double>(c.die)));
    o.Set("id", Napi::Number::New(env, static_cast<double>(c.id)));
    o.Set("cpus", set_to_js(env, c.cpus));
    o.Set("allowedCpus", set_to_js(env, c.allowed_cpus));
    cores.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("cores", cores);

  Napi::Array cpus = Napi::Array::New(env, t.cpus.size());
  for (std::size_t i = 0; i < t.cpus.size(); ++i) {
    const schedscope::Cpu& c = t.cpus[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, c.id));
    o.Set("package", Napi::Number::New(env, static_cast<double>(c.package)));
    o.Set("die", Napi::Number::New(env, static_cast<double>(c.die)));
    o.Set("core", Napi::Number::New(env, static_cast<double>(c.core)));
    o.Set("node", c.node ? static_cast<Napi::Value>(Napi::Number::New(env, *c.node)) : env.Null());
    o.Set("siblings", set_to_js(env, c.siblings));
    o.Set("allowed", Napi::Boolean::New(env, c.allowed));
    cpus.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("cpus", cpus);
  return out;
}

bool is_live_root(const std::string& root) {
  return !root.empty() && root.find_first_not_of('/') == std::string::npos;
}

Napi::Value ReadTopology(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string root = string_argument(info, 0, "root");
  return guarded(env, [&]() -> Napi::Value {
    schedscope::TopologyOptions options;
    options.root = root;
    // On the live machine the calling thread's mask comes from the kernel itself.
    if (is_live_root(root)) options.thread_cpus = schedscope::get_thread_affinity();
    return topology_to_js(env, schedscope::read_topology(options));
  });
}

Napi::Value ParseCpuList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string text = string_argument(info, 0, "text");
  return guarded(env, [&]() -> Napi::Value { return set_to_js(env, schedscope::parse_cpu_list(text)); });
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value { return set_to_js(env, schedscope::get_thread_affinity()); });
}

Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw_invalid(env, "cpus must be an array of integers");
  CpuSet cpus = ids_from_js(env, info[0], "cpus");
  if (cpus.empty()) throw_invalid(env, "cpus must not be empty");
  return guarded(env, [&]() -> Napi::Value {
    schedscope::set_thread_affinity(cpus);
    return set_to_js(env, schedscope::get_thread_affinity());
  });
}

Napi::Value GetCurrentCpu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value { return Napi::Number::New(env, schedscope::current_cpu()); });
}

Napi::Value GetThreadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(schedscope::current_thread_id()));
}

Napi::Value GetMemoryPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    schedscope::MemoryPolicy policy = schedscope::get_memory_policy();
    Napi::Object out = Napi::Object::New(env);
    out.Set("mode", schedscope::memory_policy_name(policy.mode));
    out.Set("nodes", set_to_js(env, policy.nodes));
    out.Set("flags", Napi::Number::New(env, policy.flags));
    return out;
  });
}

Napi::Value SetMemoryPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string mode_name = string_argument(info, 0, "mode");
  schedscope::MemoryPolicyMode mode;
  bool needs_nodes = true;
  if (mode_name == "default") {
    mode = schedscope::MemoryPolicyMode::kDefault;
    needs_nodes = false;
  } else if (mode_name == "local") {
    mode = schedscope::MemoryPolicyMode::kLocal;
    needs_nodes = false;
  } else if (mode_name == "bind") {
    mode = schedscope::MemoryPolicyMode::kBind;
  } else if (mode_name == "preferred") {
    mode = schedscope::MemoryPolicyMode::kPreferred;
  } else {
    throw_invalid(env, "mode must be one of default, local, bind, preferred");
  }
  CpuSet nodes = info.Length() > 1 && !info[1].IsUndefined() ? ids_from_js(env, info[1], "nodes") : CpuSet();
  if (needs_nodes && nodes.empty()) throw_invalid(env, "mode " + mode_name + " needs at least one node");
  if (!needs_nodes && !nodes.empty()) throw_invalid(env, "mode " + mode_name + " takes no nodes");
  if (mode == schedscope::MemoryPolicyMode::kPreferred && nodes.count() != 1) {
    throw_invalid(env, "mode preferred takes exactly one node");
  }
  return guarded(env, [&]() -> Napi::Value {
    schedscope::set_memory_policy(mode, nodes);
    return env.Undefined();
  });
}

Napi::Value QueryPageNodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw_invalid(env, "buffer must be an ArrayBuffer or a view of one");
  const void* data = nullptr;
  std::size_t length = 0;
  if (info[0].IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
    data = buffer.Data();
    length = buffer.ByteLength();
  } else if (info[0].IsTypedArray()) {
    Napi::TypedArray view = info[0].As<Napi::TypedArray>();
    napi_typedarray_type type;
    size_t element_count = 0;
    void* base = nullptr;
    napi_value array_buffer;
    size_t byte_offset = 0;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, view, &type, &element_count, &base, &array_buffer, &byte_offset),
                         Napi::Value());
    data = base;  // napi_get_typedarray_info already points at the first element
    length = view.ByteLength();
  } else if (info[0].IsDataView()) {
    Napi::DataView view = info[0].As<Napi::DataView>();
    data = static_cast<const char*>(view.ArrayBuffer().Data()) + view.ByteOffset();
    length = view.ByteLength();
  } else {
    throw_invalid(env, "buffer must be an ArrayBuffer or a view of one");
  }
  return guarded(env, [&]() -> Napi::Value {
    std::vector<int> status = schedscope::query_page_nodes(data, length);
    Napi::Int32Array out = Napi::Int32Array::New(env, status.size());
    for (std::size_t i = 0; i < status.size(); ++i) out[i] = status[i];
    return out;
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("interfaceVersion", Napi::Number::New(env, kInterfaceVersion));
  exports.Set("pageSize", Napi::Number::New(env, static_cast<double>(schedscope::page_size())));
  exports.Set("readTopology", Napi::Function::New(env, ReadTopology, "readTopology"));
  exports.Set("parseCpuList", Napi::Function::New(env, ParseCpuList, "parseCpuList"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getCurrentCpu", Napi::Function::New(env, GetCurrentCpu, "getCurrentCpu"));
  exports.Set("getThreadId", Napi::Function::New(env, GetThreadId, "getThreadId"));
  exports.Set("getMemoryPolicy", Napi::Function::New(env, GetMemoryPolicy, "getMemoryPolicy"));
  exports.Set("setMemoryPolicy", Napi::Function::New(env, SetMemoryPolicy, "setMemoryPolicy"));
  exports.Set("queryPageNodes", Napi::Function::New(env, QueryPageNodes, "queryPageNodes"));
  return exports;
}

}  // namespace

NODE_API_MODULE(schedscope_native, Init)
