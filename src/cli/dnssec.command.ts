// `zonekeeper dnssec show|sign|unsign|rollover ZONE` (docs/dnssec.md): a zone's keys and DS records,
// signing a zone (for zones registered elsewhere: give the registrar the DS shown), stopping it, and
// starting a key rollover. Domains registered here use automatic DNSSEC (/api/v2/domains/{id}/dnssec-auto).
import type { Algorithm } from '../core/dnssec/keys.js';
import type { DnssecView } from '../core/dnssec/dnssec.service.js';
import { CliError, stringOption, withServices, type CommandContext } from './context.js';

function print(ctx: CommandContext, v: DnssecView): void {
  if (ctx.json) {
    ctx.io.out(JSON.stringify(v) + '\n');
    return;
  }
  ctx.io.out(`${v.zone}: ${v.signed ? 'signed' : 'not signed'}\n`);
  for (const k of v.keys) ctx.io.out(`  key ${k.keyTag} ${k.algorithmName} flags ${k.flags} ${k.state}\n`);
  for (const d of v.ds) ctx.io.out(`  ${d.record}\n`);
  if (v.rollover) ctx.io.out(`  rollover: next step ${v.rollover.next} at ${v.rollover.at}\n`);
}

export async function dnssecCommand(ctx: CommandContext): Promise<number> {
  const action = ctx.positionals[0];
  if (action !== 'show' && action !== 'sign' && action !== 'unsign' && action !== 'rollover') throw new CliError(`expected: show, sign, unsign or rollover${action ? ` (got "${action}")` : ''}`, 2);
  const name = ctx.positionals[1]?.toLowerCase().replace(/\.$/, '');
  if (!name) throw new CliError(`usage: zonekeeper dnssec ${action} ZONE`, 2);
  const alg = stringOption(ctx, 'algorithm') ?? 'ECDSAP256SHA256';
  const algorithm = ({ ECDSAP256SHA256: 13, '13': 13, ED25519: 15, '15': 15 } as Record<string, Algorithm>)[alg.toUpperCase()];
  if (algorithm === undefined) throw new CliError('--algorithm must be ECDSAP256SHA256 (13) or ED25519 (15)', 2);
  return withServices(
    ctx.config,
    async (s) => {
      const zone = await s.store.zones.getByName(name);
      if (!zone) throw new CliError(`no zone ${name}`);
      const v =
        action === 'show'
          ? await s.dnssec.view(zone)
          : action === 'sign'
            ? await s.dnssec.enableSigning(zone, algorithm)
            : action === 'unsign'
              ? await s.dnssec.disableSigning(zone)
              : (await s.dnssecAuto.assertNotWithdrawing(zone), await s.dnssec.startRollover(zone));
      print(ctx, v);
      return 0;
    },
    { dataKey: true },
  );
}
