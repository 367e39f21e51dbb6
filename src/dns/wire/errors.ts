// The one error type of the wire codec: malformed input (a packet, RDATA, presentation text).
// A query that makes the decoder throw it is answered FORMERR.

export class WireError extends Error {
  /** Why the input is malformed (a sentence fragment, no trailing period). */
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'WireError';
    this.reason = reason;
  }
}
