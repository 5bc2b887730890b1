#!/bin/sh
# Instructions (valgrind cachegrind, I refs) of decoding a trace: `bench/ir.sh <trace> <passes> [generations]`.
# (--all after the trace: read every column.) The difference between two pass counts is one decode pass (see bench/decode-passes.mjs).
# V8 flags make the JIT output repeatable: one thread, TurboFan only, no tier-up.
exec valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
  node --single-threaded --no-liftoff --no-wasm-dynamic-tiering "$(dirname "$0")/decode-passes.mjs" "$@" 2>&1 |
  grep -E 'I +refs|nsPerEvent' 
