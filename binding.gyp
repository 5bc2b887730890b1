# node-gyp build of the same sources CMakeLists.txt builds through cmake-js; used when cmake-js
# cannot run. scripts/build-native.mjs passes --nodedir so node-gyp never downloads headers.
{
  "targets": [
    {
      "target_name": "schedscope_native",
      "sources": [
        "native/addon/addon.cpp",
        "native/core/cpu_set.cpp",
        "native/core/topology.cpp",
        "native/core/topology_json.cpp",
        "native/core/thread_control.cpp"
      ],
      "include_dirs": ["native/core"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++1y", "-fno-exceptions"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-Wall", "-Wextra"],
      "conditions": [
        ["OS != 'linux'", { "type": "none", "sources": [] }]
      ]
    }
  ]
}
