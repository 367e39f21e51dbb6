// One EPP session on the server side (RFC 5730 §2): greeting, login state, and one response per client frame.
import { createHash, timingSafeEqual } from 'node:crypto';
import { RegistryError, type Registry } from '../../core/registry/registry.port.js';
import { EppCommandError, parseClientFrame, type ClientCommand } from './server-commands.js';
import { executeObjectCommand, quotedName, registryFailure } from './server-object-commands.js';
import { greetingXml, responseXml, SERVER_EXT_URIS, SERVER_OBJ_URIS, type ResponseParts } from './server-responses.js';

/**
 * Throttling of failed logins shared by every connection (the server keeps one per client address
 * and clID). Asked before the password is looked at, so a throttled guess learns nothing.
 */
export interface LoginThrottle {
  /** Whether a login as `clID` may be checked now; false refuses it unchecked. */
  admit(clID: string): boolean;
  /** The password was right: the attempt does not count as a failure. */
  succeeded(clID: string): void;
}

export interface EppServerSessionOptions {
  /**
   * The registry commands run against: one for everybody, or one per logged-in client, so the
   * registry can tell whose objects are whose (RFC 5730 §3, 2201 authorization error).
   */
  registry: Registry | ((clID: string) => Registry);
  /** clID → password of the registrars allowed to log in. */
  credentials: ReadonlyMap<string, string>;
  svID: string;
  /** A new server transaction id per response (RFC 5730 §2.6: unique per server). */
  nextSvTRID: () => string;
  now: () => Date;
  /** Failed logins after which the connection is closed (RFC 5730 §2.9.1.1 lets the server pick N). */
  maxFailedLogins?: number;
  loginThrottle?: LoginThrottle;
  /** Unexpected failures (answered with 2400). */
  onError?: (err: unknown) => void;
}

/** What to send back, and whether the connection ends after it (1500, 25xx: RFC 5730 §3). */
export interface SessionReply {
  xml: string;
  close: boolean;
}

type LoginCommand = Extract<ClientCommand, { verb: 'login' }>;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares fixed-length digests so the time taken says nothing about the password. */
function samePassword(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function result(code: number, message?: string): ResponseParts {
  return message === undefined ? { result: { code } } : { result: { code, message } };
}

export class EppServerSession {
  #clID: string | null = null;
  /** The registry of the logged-in client (set at login). */
  #registry: Registry | null = null;
  #extURIs: readonly string[] = [];
  #failedLogins = 0;

  constructor(private readonly options: EppServerSessionOptions) {}

  /** The registrar logged in on this session, if any. */
  get clID(): string | null {
    return this.#clID;
  }

  /** RFC 5730 §2.4: sent on connect and in answer to <hello>. */
  greeting(): string {
    return greetingXml(this.options.svID, this.options.now());
  }

  /** Answers one frame's payload; never throws (every failure is a result code). */
  async handle(payload: Uint8Array): Promise<SessionReply> {
    let clTRID: string | undefined;
    try {
      const frame = parseClientFrame(payload);
      if (frame.kind === 'hello') return { xml: this.greeting(), close: false };
      clTRID = frame.clTRID;
      const { parts, close } = await this.#command(frame.command);
      return { xml: this.#response(parts, clTRID), close };
    } catch (err) {
      if (err instanceof EppCommandError) return { xml: this.#response(result(err.code, err.message), err.clTRID ?? clTRID), close: false };
      this.options.onError?.(err);
      return { xml: this.#response(result(2400), clTRID), close: false };
    }
  }

  #response(parts: ResponseParts, clTRID: string | undefined): string {
    return responseXml(parts, { clTRID, svTRID: this.options.nextSvTRID() });
  }

  async #command(command: ClientCommand): Promise<{ parts: ResponseParts; close: boolean }> {
    if (command.verb === 'login') return this.#login(command);
    // RFC 5730 §2.9.1.1: every command but login needs an established session.
    if (this.#clID === null || this.#registry === null) return { parts: result(2002, 'Log in first: this command needs an established session.'), close: false };
    if (command.verb === 'logout') {
      this.#clID = null;
      this.#registry = null;
      return { parts: result(1500), close: true };
    }
    try {
      const { now } = this.options;
      return { parts: await executeObjectCommand(command, { registry: this.#registry, now, clID: this.#clID, extURIs: this.#extURIs }), close: false };
    } catch (err) {
      if (err instanceof RegistryError) return { parts: registryFailure(err, quotedName(command)), close: false };
      throw err;
    }
  }

  /** RFC 5730 §2.9.1.1: credentials, then the protocol version, language and services asked for. */
  #login(cmd: LoginCommand): { parts: ResponseParts; close: boolean } {
    if (this.#clID !== null) return { parts: result(2002, 'Already logged in; log out first.'), close: false };
    const throttle = this.options.loginThrottle;
    if (throttle && !throttle.admit(cmd.clID)) {
      // RFC 5730 §3: 2501 is the authentication failure past the server's limit on failures, and
      // the server closes. The password is not looked at: while throttled, guessing learns nothing.
      return { parts: result(2501, 'Authentication error; too many failed logins recently, try again later.'), close: true };
    }
    const expected = this.options.credentials.get(cmd.clID);
    // Messages here never quote the password (it goes in no response and no log).
    if (expected === undefined || !samePassword(cmd.pw, expected)) {
      this.#failedLogins += 1;
      if (this.#failedLogins >= (this.options.maxFailedLogins ?? 3)) {
        // RFC 5730 §3: 2501 is the authentication failure after which the server closes the connection.
        return { parts: result(2501, 'Authentication error; too many failed logins, closing the connection.'), close: true };
      }
      return { parts: result(2200, 'Authentication error: unknown client or wrong password.'), close: false };
    }
    throttle?.succeeded(cmd.clID);
    if (cmd.version !== '1.0') return { parts: result(2100, `EPP version ${cmd.version} is not offered; use 1.0.`), close: false };
    if (cmd.lang !== 'en') return { parts: result(2102, `Language ${cmd.lang} is not offered; use en.`), close: false };
    if (cmd.newPW !== undefined) return { parts: result(2102, 'Passwords cannot be changed through EPP here.'), close: false };
    const objURI = cmd.objURIs.find((u) => !SERVER_OBJ_URIS.includes(u));
    if (objURI !== undefined) return { parts: result(2307, `The object service ${objURI} is not offered.`), close: false };
    const extURI = cmd.extURIs.find((u) => !SERVER_EXT_URIS.includes(u));
    if (extURI !== undefined) return { parts: result(2103, `The extension ${extURI} is not offered.`), close: false };
    const { registry } = this.options;
    this.#registry = typeof registry === 'function' ? registry(cmd.clID) : registry;
    this.#clID = cmd.clID;
    this.#extURIs = cmd.extURIs;
    this.#failedLogins = 0;
    return { parts: result(1000), close: false };
  }
}
