// IP address text: strict IPv4 dotted quads and IPv6 with RFC 5952 canonical output.

/** Parse a dotted quad; refuses leading zeros (octal ambiguity), short forms and out-of-range octets. */
export function parseIPv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return null;
  const octets: number[] = [];
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return null;
    const v = Number(part);
    if (v > 255) return null;
    octets.push(v);
  }
  return octets;
}

export function formatIPv4(octets: number[]): string {
  return octets.join('.');
}

function parseGroups(part: string): number[] | null {
  if (part === '') return [];
  const groups: number[] = [];
  const pieces = part.split(':');
  for (const [i, p] of pieces.entries()) {
    if (i === pieces.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (v4 === null) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      groups.push(parseInt(p, 16));
    }
  }
  return groups;
}

/** Parse IPv6 text (RFC 4291 2.2, with an optional trailing dotted quad) into eight 16-bit groups. */
export function parseIPv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const g = parseGroups(text);
    return g !== null && g.length === 8 ? g : null;
  }
  const [left, right] = halves as [string, string];
  // An embedded IPv4 address may only end the address.
  if (left.includes('.')) return null;
  const l = parseGroups(left);
  const r = parseGroups(right);
  if (l === null || r === null || l.length + r.length > 7) return null;
  return [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
}

/** RFC 5952 text: lowercase, no leading zeros, the longest (first on a tie) run of 2+ zero groups as `::`. */
export function formatIPv6(groups: number[]): string {
  // RFC 5952 5: IPv4-mapped addresses (::ffff:0:0/96) keep the dotted quad.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const a = groups[6]!;
    const b = groups[7]!;
    return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** True when the text is an IPv4 or IPv6 address literal (optionally with a trailing dot, as names have). */
export function looksLikeIpAddress(text: string): boolean {
  const t = text.endsWith('.') ? text.slice(0, -1) : text;
  return parseIPv4(t) !== null || parseIPv6(t) !== null;
}
