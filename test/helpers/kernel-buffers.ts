/**
 * Linux's cap on a socket's `SO_RCVBUF` (`net.core.rmem_max`), for tests of what a receive buffer
 * asked beyond it is granted; or, where it cannot be read (not Linux), the reason, which those
 * tests skip with.
 */
import { readFileSync } from "node:fs";

export function rmemMax(): number | string {
  try {
    return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
  } catch {
    return "no /proc/sys/net/core/rmem_max (not Linux): the kernel's cap cannot be read";
  }
}
