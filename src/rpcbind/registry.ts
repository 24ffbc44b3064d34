/**
 * The registration table of Lupine's binder (RFC 1833): which program version listens at which
 * universal address over which transport. Pure and bounded; `server.ts` serves it over the port
 * mapper and RPCBIND protocols.
 */
import { fromUaddr } from "./uaddr.js";

/** One registration (RFC 1833 `rpcb`). */
export interface RegistryEntry {
  readonly program: number;
  readonly version: number;
  /** `udp`, `tcp`, `udp6`, `tcp6`, ... */
  readonly netid: string;
  /** Universal address, e.g. `0.0.0.0.8.1`. */
  readonly uaddr: string;
  readonly owner: string;
}

/** See the module comment. */
export class Registry {
  private readonly entries: RegistryEntry[] = [];

  constructor(private readonly maxEntries = 4096) {}

  /** Every registration, oldest first. */
  all(): readonly RegistryEntry[] {
    return this.entries;
  }

  /** Adds a registration; false when that program, version and netid is taken or the table is full. */
  set(e: RegistryEntry): boolean {
    if (this.entries.length >= this.maxEntries) return false;
    if (fromUaddr(e.uaddr) === null) return false;
    if (
      this.entries.some(
        (x) => x.program === e.program && x.version === e.version && x.netid === e.netid,
      )
    ) {
      return false;
    }
    this.entries.push(e);
    return true;
  }

  /** Removes the program version on `netid` ("" = every netid); true when something went. */
  unset(program: number, version: number, netid: string): boolean {
    let removed = false;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const x = this.entries[i]!;
      if (x.program === program && x.version === version && (netid === "" || x.netid === netid)) {
        this.entries.splice(i, 1);
        removed = true;
      }
    }
    return removed;
  }

  /** The registration of exactly this program, version and netid. */
  find(program: number, version: number, netid: string): RegistryEntry | undefined {
    return this.entries.find(
      (x) => x.program === program && x.version === version && x.netid === netid,
    );
  }

  /** The exact version if registered, else any version of the program on `netid` (RPCBIND v3). */
  findAnyVersion(program: number, version: number, netid: string): RegistryEntry | undefined {
    return (
      this.find(program, version, netid) ??
      this.entries.find((x) => x.program === program && x.netid === netid)
    );
  }

  /** Every registration of this program version, any netid. */
  findAll(program: number, version: number): RegistryEntry[] {
    return this.entries.filter((x) => x.program === program && x.version === version);
  }
}
