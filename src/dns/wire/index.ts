// The wire codec in one import: `import { decodeMessage, WireWriter, nameToWire } from '../wire/index.js'`.
export * from './constants.js';
export * from './errors.js';
export * from './name.js';
export * from './reader.js';
export * from './writer.js';
export * from './rdata.js';
export * from './message.js';
export { canonicalRdataSet, canonicalRRsetWire } from './canonical.js';
