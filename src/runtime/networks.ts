/**
 * Address sets for access decisions: "is this caller on loopback", "is it in 10.0.0.0/8". Used by
 * the access policy (`access-policy.ts`), the binder's SET/UNSET rule (`rpcbind/server.ts`) and
 * the UDP reply-amplification exemptions (`transport/onc-udp-server.ts`).
 *
 * Networks are written as CIDR prefixes (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) or single
 * addresses: `127.0.0.0/8`, `::1/128`, `10.1.2.3`, `fe80::/10`, or the word `loopback`. IPv4
 * addresses are compared as IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2), so `127.0.0.0/8`
 * also matches `::ffff:127.0.0.1` (what a dual-stack socket reports for an IPv4 peer).
 *
 * Pure: no `node:net`; addresses are parsed here and malformed ones never match.
 */

/** The loopback networks: 127.0.0.0/8 and ::1. */
export const LOOPBACK_NETWORKS: readonly string[] = Object.freeze(["127.0.0.0/8", "::1/128"]);

/** 16 bytes, or null when `text` is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): Uint8Array | null {
  let a = text.trim();
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone); // fe80::1%eth0
  if (a.startsWith("[") && a.endsWith("]")) a = a.slice(1, -1);
  if (!a.includes(":")) {
    const v4 = parseIpv4(a);
    if (v4 === null) return null;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  return parseIpv6(a);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const words = (s: string): number[] | null => {
    if (s === "") return [];
    const out: number[] = [];
    const groups = s.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (v4 === null) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
        out.push(Number.parseInt(g, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >>> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}

/** One network: an address and a prefix length over 16-byte addresses. */
interface Network {
  readonly bytes: Uint8Array;
  readonly prefixBits: number;
}

/**
 * Parses `10.0.0.0/8`, `::1`, `fe80::/10` or `loopback` into networks; throws a `TypeError`
 * naming the text when it is not one (configuration mistakes surface at start, not per call).
 */
export function parseNetwork(text: string): Network[] {
  const t = text.trim();
  if (t.toLowerCase() === "loopback") return LOOPBACK_NETWORKS.flatMap(parseNetwork);
  const slash = t.indexOf("/");
  const addressText = slash < 0 ? t : t.slice(0, slash);
  const bytes = parseAddress(addressText);
  if (bytes === null) throw new TypeError(`bad network '${text}': not an IPv4 or IPv6 address`);
  const v4 = !addressText.includes(":");
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) {
      throw new TypeError(`bad network '${text}': prefix length must be 0..${max}`);
    }
    bits = Number(p);
  }
  return [{ bytes, prefixBits: v4 ? 96 + bits : bits }];
}

function contains(n: Network, a: Uint8Array): boolean {
  const whole = n.prefixBits >>> 3;
  for (let i = 0; i < whole; i++) if (n.bytes[i] !== a[i]) return false;
  const rest = n.prefixBits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((n.bytes[whole]! ^ a[whole]!) & mask) === 0;
}

/** A set of networks with a membership test (see the module comment). */
export class NetworkSet {
  private readonly networks: readonly Network[];
  /** The networks as given, for messages. */
  readonly text: readonly string[];

  /** Throws a `TypeError` on the first malformed network. */
  constructor(networks: readonly string[]) {
    this.text = [...networks];
    this.networks = networks.flatMap(parseNetwork);
  }

  /** Whether `address` (textual, as sockets report it) is in one of the networks. */
  has(address: string | undefined): boolean {
    if (address === undefined || this.networks.length === 0) return false;
    const a = parseAddress(address);
    if (a === null) return false;
    for (const n of this.networks) if (contains(n, a)) return true;
    return false;
  }

  /** True when the set holds no network. */
  get empty(): boolean {
    return this.networks.length === 0;
  }
}

const loopback = new NetworkSet(LOOPBACK_NETWORKS);

/** Loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback (`::ffff:127.0.0.1`). */
export function isLoopback(address: string | undefined): boolean {
  return loopback.has(address);
}
