export * from './columns.js';
export * from './event.js';
export { EventBatch, rangeName, type ColumnFiller, type ColumnViews, type GenerationTables } from './batch.js';
export { goQuote, goQuoteBytes } from './quote.js';
export type { KernelCallbacks, KernelHost } from './kernels.js';
