// The analysis kernels' exports (see kernel.ts). One file per kernel; each analyzer in
// src/analysis/ that has a kernel binds to its exports in src/analysis/kernels/.
export { selectKinds, selectionPointer } from './kernel';
export * from './footprint';
export { histogramHeader } from './histogram';
export * from './gc';
export * from './tracker';
export * from './mmu';
export * from './procs';
export * from './metrics';
