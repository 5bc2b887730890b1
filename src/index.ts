// The schedscope public API.
export { openTrace, Trace, DEFAULT_MAX_GENERATION_BYTES } from './trace.js';
export type { OpenTraceOptions, ReadProgress, TraceStats, TraceSource } from './trace.js';
export * from './errors.js';
export { SUPPORTED_VERSIONS, type SupportedVersion } from './format/header.js';
export * from './model/index.js';
export * from './native/index.js';
export * from './analysis/index.js';
export * from './analysis/diagnose/index.js';
export { encodeProfile, type StackRecord } from './export/pprof.js';
export { cutTrace, CutSelectionError, type CutOptions, type CutResult, type CutSelection } from './export/cut.js';
export { exportPerfetto, type PerfettoOptions, type PerfettoSummary } from './export/perfetto.js';
