// The EPP codec's error types: what the registry sent is not EPP, or what we were asked to send is not.

/**
 * The peer broke the protocol: a bad data unit header (RFC 5734 §4), XML that is not well formed or
 * carries a DTD, or a document that is not an EPP server message (RFC 5730 §2). The session cannot
 * be trusted after it, so the client layer closes the connection.
 */
export class EppProtocolError extends Error {
  /** Why the input is refused (a sentence fragment, no trailing period). */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'EppProtocolError';
    this.reason = reason;
  }
}

/** A data unit whose Total Length field is out of bounds (RFC 5734 §4). */
export class EppFramingError extends EppProtocolError {
  /** The Total Length the header announced (or the encoder would have written). */
  readonly length: number;

  constructor(reason: string, length: number) {
    super(reason);
    this.name = 'EppFramingError';
    this.length = length;
  }
}

/**
 * A command builder was given a value the EPP schemas do not allow (RFC 5730-5732, 5910), caught
 * before it reaches the registry so the fault is ours and named, not a 2001/2005 from the server.
 */
export class EppInputError extends Error {
  /** The builder argument at fault, e.g. `clTRID` or `secDns.add[0].digest`. */
  readonly field: string;
  /** What is wrong with it (a sentence fragment). */
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'EppInputError';
    this.field = field;
    this.reason = reason;
  }
}
