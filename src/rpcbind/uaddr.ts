/**
 * Universal addresses (RFC 1833 §2.1, format from RFC 5665 §5.2.3): the string form rpcbind
 * uses for a transport address — `h1.h2.h3.h4.p1.p2` for IPv4, `x:x::x.p1.p2` for IPv6, where
 * p1 and p2 are the port's high and low bytes in decimal — and the binary `netbuf` form of
 * UADDR2TADDR/TADDR2UADDR (a Linux `sockaddr_in`/`sockaddr_in6`).
 */
import type { Endpoint } from "../io/index.js";

const AF_INET = 2;
const AF_INET6 = 10;

/** `127.0.0.1` port 2049 → `127.0.0.1.8.1`. */
export function toUaddr(e: Endpoint): string {
  return `${e.address}.${e.port >> 8}.${e.port & 0xff}`;
}

/** Parses a universal address; null when it is not one. */
export function fromUaddr(uaddr: string): Endpoint | null {
  const m = /^(.+)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (m === null) return null;
  const [, address, hi, lo] = m as unknown as [string, string, string, string];
  const port = Number(hi) * 256 + Number(lo);
  if (Number(hi) > 255 || Number(lo) > 255) return null;
  if (address.includes(":")) return { address, port, family: "IPv6" };
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return null;
  return { address, port, family: "IPv4" };
}

/** The netid of a transport over a family: `udp`, `tcp`, `udp6`, `tcp6`. */
export function netidOf(protocol: "udp" | "tcp", family: "IPv4" | "IPv6"): string {
  return family === "IPv6" ? `${protocol}6` : protocol;
}

/** An endpoint as a Linux `sockaddr_in` / `sockaddr_in6` (the `netbuf` of UADDR2TADDR). */
export function toTaddr(e: Endpoint): Uint8Array {
  if (e.family === "IPv4") {
    const out = new Uint8Array(16);
    out[0] = AF_INET; // sa_family is host order (little-endian here)
    out[2] = e.port >> 8;
    out[3] = e.port & 0xff;
    e.address.split(".").forEach((b, i) => {
      out[4 + i] = Number(b);
    });
    return out;
  }
  const out = new Uint8Array(28);
  out[0] = AF_INET6;
  out[2] = e.port >> 8;
  out[3] = e.port & 0xff;
  ipv6Bytes(e.address).forEach((b, i) => {
    out[8 + i] = b;
  });
  return out;
}

/** The inverse of {@link toTaddr}; null for anything else. */
export function fromTaddr(buf: Uint8Array): Endpoint | null {
  const port = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
  if (buf.length >= 8 && buf[0] === AF_INET && buf[1] === 0) {
    return { address: Array.from(buf.subarray(4, 8)).join("."), port, family: "IPv4" };
  }
  if (buf.length >= 24 && buf[0] === AF_INET6 && buf[1] === 0) {
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(((buf[8 + 2 * i]! << 8) | buf[9 + 2 * i]!).toString(16));
    return { address: compressIpv6(words), port, family: "IPv6" };
  }
  return null;
}

function ipv6Bytes(address: string): number[] {
  const [head = "", tail = ""] = address.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((w) => Number.parseInt(w, 16)));
  const h = parse(head);
  const t = address.includes("::") ? parse(tail) : [];
  const words = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function compressIpv6(words: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return words.join(":");
  return `${words.slice(0, best).join(":")}::${words.slice(best + bestLen).join(":")}`;
}
