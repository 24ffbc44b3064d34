/**
 * Datagrams the kernel dropped at a UDP socket because its receive buffer was full (the `drops`
 * column of Linux's /proc/net/udp and /proc/net/udp6), summed over the sockets bound to a local
 * port. A test that counts what a receiver saw of what was sent to it over loopback uses this
 * to tell a datagram the receiver never got from one it mishandled: on a loaded machine a
 * descheduled receiver's buffer overflows. Returns 0 where the files cannot be read (not Linux).
 */
import { readFileSync } from "node:fs";

export function udpKernelDrops(localPort: number): number {
  let drops = 0;
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 13) continue;
      const port = Number.parseInt(fields[1]!.split(":")[1] ?? "", 16);
      if (port === localPort) drops += Number(fields[fields.length - 1]);
    }
  }
  return drops;
}
