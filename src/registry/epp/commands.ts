// Builders for every client frame the registry layer sends: session commands here, object commands re-exported.
import { EppInputError } from './errors.js';
import { checkToken, commandFrame, eppFrame, leaf } from './command-builder.js';
import { DOMAIN_NS, EPP_NS, HOST_NS, SECDNS_NS } from './namespaces.js';

export * from './domain-commands.js';
export * from './host-commands.js';

export interface LoginInput {
  /** The registrar's client identifier (eppcom:clIDType, 3-16 characters). */
  clID: string;
  /** Password (RFC 5730 §4 pwType, 6-16 characters). */
  pw: string;
  /** A new password to set with this login (RFC 5730 §2.9.1.1). */
  newPW?: string;
  /** Object services to use; default domain-1.0 and host-1.0. */
  objURIs?: string[];
  /** Extensions to use; default secDNS-1.1. */
  extURIs?: string[];
  clTRID: string;
}

export const DEFAULT_OBJ_URIS: readonly string[] = [DOMAIN_NS, HOST_NS];
export const DEFAULT_EXT_URIS: readonly string[] = [SECDNS_NS];

/** RFC 5730 §2.3: asks the server for a greeting (also a keep-alive that needs no login). */
export function helloFrame(): string {
  return eppFrame((epp) => {
    epp.ele(EPP_NS, 'hello');
  });
}

function checkUris(field: string, uris: readonly string[], min: number): void {
  if (!Array.isArray(uris) || uris.length < min) throw new EppInputError(field, `needs at least ${min} URI(s)`);
  uris.forEach((uri, i) => checkToken(`${field}[${i}]`, uri, 1, 2048));
}

/**
 * RFC 5730 §2.9.1.1: opens the session. Version "1.0" and lang "en" are the only values this
 * client speaks; the services listed are the ones the server may use in its responses.
 */
export function loginCommand(input: LoginInput): string {
  const { clID, pw, newPW, objURIs = DEFAULT_OBJ_URIS, extURIs = DEFAULT_EXT_URIS, clTRID } = input;
  checkToken('clID', clID, 3, 16);
  checkToken('pw', pw, 6, 16);
  if (newPW !== undefined) checkToken('newPW', newPW, 6, 16);
  checkUris('objURIs', objURIs, 1);
  checkUris('extURIs', extURIs, 0);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const login = command.ele(EPP_NS, 'login');
      leaf(login, EPP_NS, 'clID', clID);
      leaf(login, EPP_NS, 'pw', pw);
      if (newPW !== undefined) leaf(login, EPP_NS, 'newPW', newPW);
      const options = login.ele(EPP_NS, 'options');
      leaf(options, EPP_NS, 'version', '1.0');
      leaf(options, EPP_NS, 'lang', 'en');
      const svcs = login.ele(EPP_NS, 'svcs');
      for (const uri of objURIs) leaf(svcs, EPP_NS, 'objURI', uri);
      if (extURIs.length > 0) {
        const ext = svcs.ele(EPP_NS, 'svcExtension');
        for (const uri of extURIs) leaf(ext, EPP_NS, 'extURI', uri);
      }
    },
  });
}

/** RFC 5730 §2.9.1.2: ends the session; the server answers 1500 and closes the connection. */
export function logoutCommand({ clTRID }: { clTRID: string }): string {
  return commandFrame({
    clTRID,
    verb: (command) => {
      command.ele(EPP_NS, 'logout');
    },
  });
}
