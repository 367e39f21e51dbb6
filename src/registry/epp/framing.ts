// EPP over TCP data units (RFC 5734 §4): a 4-octet big-endian Total Length, header included, then the XML.
import { EppFramingError } from './errors.js';

/** Octets of the Total Length header. */
export const EPP_HEADER_BYTES = 4;
/** Default cap on a data unit's Total Length: far above any EPP response, far below a memory problem. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** A frame must carry at least one octet of XML after its header. */
const MIN_FRAME_BYTES = EPP_HEADER_BYTES + 1;
/** The Total Length field is an unsigned 32-bit integer. */
const MAX_WIRE_LENGTH = 0xffff_ffff;

export interface EppFrameOptions {
  /** Largest Total Length accepted or written, header included (default 1 MiB). */
  maxFrameBytes?: number;
}

function maxFrameBytesOf(options: EppFrameOptions | undefined): number {
  const max = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(max) || max < MIN_FRAME_BYTES || max > MAX_WIRE_LENGTH) {
    throw new RangeError(`maxFrameBytes must be an integer from ${MIN_FRAME_BYTES} to ${MAX_WIRE_LENGTH}, got ${max}`);
  }
  return max;
}

function checkTotalLength(total: number, max: number): void {
  if (total < MIN_FRAME_BYTES) {
    throw new EppFramingError(`data unit length ${total} is below the minimum of ${MIN_FRAME_BYTES} (header plus XML)`, total);
  }
  if (total > max) {
    throw new EppFramingError(`data unit length ${total} exceeds the limit of ${max} octets`, total);
  }
}

/** One data unit: the header with the total length (RFC 5734 §4: it counts its own 4 octets), then the XML as UTF-8. */
export function encodeEppFrame(xml: string | Uint8Array, options?: EppFrameOptions): Uint8Array {
  const max = maxFrameBytesOf(options);
  const payload = typeof xml === 'string' ? new TextEncoder().encode(xml) : xml;
  const total = EPP_HEADER_BYTES + payload.length;
  checkTotalLength(total, max);
  const frame = new Uint8Array(total);
  new DataView(frame.buffer).setUint32(0, total, false);
  frame.set(payload, EPP_HEADER_BYTES);
  return frame;
}

/**
 * Reassembles data units from a byte stream cut anywhere (TCP delivers chunks, not frames). A bad
 * header leaves the stream without a trustworthy boundary, so after the first EppFramingError every
 * later call throws the same error: the connection has to be closed.
 *
 * Chunks are referenced, not copied, until their frame completes; node:net never reuses them.
 */
export class EppFrameDecoder {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Total Length of the frame being read; 0 while its header is incomplete. */
  #expected = 0;
  #failure: EppFramingError | null = null;

  constructor(options?: EppFrameOptions) {
    this.#max = maxFrameBytesOf(options);
  }

  /** Octets received but not yet returned in a frame. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Feeds a chunk; returns the XML payload (header removed) of every frame it completes, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure) throw this.#failure;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.#expected === 0) {
        if (this.#buffered < EPP_HEADER_BYTES) break;
        this.#expected = this.#readHeader();
      }
      if (this.#buffered < this.#expected) break;
      frames.push(this.#takeFrame());
    }
    return frames;
  }

  /** Call when the peer closed the stream: a partial frame there means the data unit was cut short. */
  end(): void {
    if (this.#failure) throw this.#failure;
    if (this.#buffered > 0) {
      const announced = this.#expected;
      throw new EppFramingError(
        announced > 0
          ? `stream ended after ${this.#buffered} of ${announced} octets of a data unit`
          : `stream ended inside a data unit header (${this.#buffered} octets)`,
        announced,
      );
    }
  }

  /** Reads and checks the Total Length as soon as its 4 octets are in, before buffering the body. */
  #readHeader(): number {
    const header = new Uint8Array(EPP_HEADER_BYTES);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, EPP_HEADER_BYTES - filled);
      header.set(part, filled);
      filled += part.length;
      if (filled === EPP_HEADER_BYTES) break;
    }
    const total = new DataView(header.buffer).getUint32(0, false);
    try {
      checkTotalLength(total, this.#max);
    } catch (error) {
      this.#failure = error as EppFramingError;
      this.#chunks = [];
      this.#buffered = 0;
      throw error;
    }
    return total;
  }

  #takeFrame(): Uint8Array {
    const total = this.#expected;
    const joined = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    // A copy (Buffer#slice would not copy): the payload must not alias the caller's chunk.
    const payload = new Uint8Array(joined.subarray(EPP_HEADER_BYTES, total));
    const rest = joined.subarray(total);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    this.#expected = 0;
    return payload;
  }
}
