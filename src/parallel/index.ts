export { indexGenerations, type GenerationExtent, type GenerationIndex, type IndexOptions } from './generation-index.js';
export { planPlacement, type PlacementPolicy, type WorkerPlacement } from './placement.js';
export { WorkerPool, warmLibuvThreadPool, type WorkerPoolOptions, type SubmitOptions, type PoolMetrics, type WorkerMetrics } from './pool.js';
export { TransferringResult, type TaskModule, type TaskHandler, type WorkerContext, type WorkerReadyInfo } from './protocol.js';
export * from './errors.js';
export { decodeGenerationsInParallel, type ParallelDecodeOptions, type ParallelDecodeResult, type ParallelModules, type ParallelWork } from './parallel-decode.js';
export type { GenerationResult, DecodeGenerationTask } from './decode-task.js';
export type { ParallelTraceModules } from './parallel-trace.js';
