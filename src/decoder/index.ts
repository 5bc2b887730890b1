export { GenerationDecoder, DEFAULT_EVENTS_PER_BATCH, type TraceVersion, type DecoderOptions } from './decoder.js';
