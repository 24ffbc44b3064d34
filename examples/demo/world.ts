/**
 * The demo's world: Lupine's real client and server transports on the simulated network of
 * `lupine/testing` (virtual time, one seeded PRNG), one RPC server serving both the calculator
 * and the file service, a tap that reports what the link did to every datagram, and a driver
 * that runs virtual time while waiting for real disk I/O.
 *
 * Virtual time and a real disk: the simulated clock jumps from event to event, but the file
 * service reads and writes a real temporary folder, whose promises settle outside virtual time.
 * The file system handed to the service is wrapped so the driver knows when I/O is pending; it
 * then lets the I/O finish before advancing the clock, so the disk takes no virtual time and
 * never causes a spurious retransmission.
 */
import type { Endpoint } from "../../src/io/datagram.js";
import type { FileHandle, FileSystem } from "../../src/io/file-system.js";
import type { Dispatcher } from "../../src/runtime/transport.js";
import { createSimPair, type LinkConfig, type SimPair } from "../../src/testing/index.js";

/** What the link did to one datagram. */
export type Fate = "delivered" | "lost" | "duplicated" | "reordered" | "corrupted";

/** One datagram as the tap saw it. */
export interface Sighting {
  readonly atMs: number;
  readonly fromServer: boolean;
  readonly bytes: Uint8Array;
  readonly fates: readonly Fate[];
}

/** A file system whose pending operations are counted. */
export interface TrackedFileSystem {
  readonly fs: FileSystem;
  pending(): number;
  /** Resolves when nothing is pending. */
  settled(): Promise<void>;
}

/** Wraps `fs` so every operation (and every operation of the files it opens) is counted. */
export function trackIo(fs: FileSystem): TrackedFileSystem {
  let pending = 0;
  let waiters: (() => void)[] = [];
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending++;
    return p.finally(() => {
      pending--;
      if (pending === 0) {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      }
    });
  };
  const wrapHandle = (h: FileHandle): FileHandle => ({
    read: (b, p) => track(h.read(b, p)),
    write: (d, p) => track(h.write(d, p)),
    truncate: (s) => track(h.truncate(s)),
    sync: () => track(h.sync()),
    stat: () => track(h.stat()),
    close: () => track(h.close()),
  });
  const tracked: FileSystem = {
    open: (path, mode, options) => track(fs.open(path, mode, options).then(wrapHandle)),
    stat: (p) => track(fs.stat(p)),
    lstat: (p) => track(fs.lstat(p)),
    realpath: (p) => track(fs.realpath(p)),
    rename: (a, b) => track(fs.rename(a, b)),
    link: (a, b) => track(fs.link(a, b)),
    unlink: (p) => track(fs.unlink(p)),
    readSmallFile: (p, n) => track(fs.readSmallFile(p, n)),
    syncDirectory: (p) => track(fs.syncDirectory(p)),
  };
  return {
    fs: tracked,
    pending: () => pending,
    settled: () => (pending === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
}

/** The demo's simulated world. */
export interface World {
  readonly pair: SimPair;
  readonly io: TrackedFileSystem;
  /** Called for every datagram the link carries (set to observe; null to stop). */
  tap: ((s: Sighting) => void) | null;
  /** Runs virtual time until `done()` holds (or `limitMs` of virtual time pass). */
  run(done: () => boolean, limitMs?: number): Promise<void>;
}

/** Builds the world: a server (its dispatcher given by `serve`) and a client, over links set by `link`. */
export function createWorld(options: {
  readonly seed: number;
  readonly link: Partial<LinkConfig>;
  readonly fs: FileSystem;
}): World & { serve(dispatcher: Dispatcher): void } {
  // The server's dispatcher is set after the world exists (it needs the world's clock).
  let inner: Dispatcher | undefined;
  const pair = createSimPair({
    seed: options.seed,
    link: options.link,
    dispatcher: () => ({
      dispatch: (call) => inner?.dispatch(call) ?? { status: "prog_unavail" },
    }),
  });
  const io = trackIo(options.fs);
  const net = pair.net;
  const world: World & { serve(dispatcher: Dispatcher): void } = {
    serve: (d) => {
      inner = d;
    },
    pair,
    io,
    tap: null,
    async run(done, limitMs = 600_000) {
      const until = net.clock.now() + limitMs;
      for (;;) {
        await net.clock.run({ untilMs: until, done: () => done() || io.pending() > 0 });
        if (io.pending() > 0) {
          await io.settled();
          continue;
        }
        if (done() || net.clock.now() >= until || net.clock.idle) return;
      }
    },
  };
  // The tap: what the network's counters say happened to each datagram as it was sent.
  const transmit = net.transmit.bind(net);
  net.transmit = (from: Endpoint, to: Endpoint, data: Uint8Array) => {
    const c = { ...net.counters };
    transmit(from, to, data);
    if (world.tap === null) return;
    const n = net.counters;
    const fates: Fate[] = [];
    if (n.lost > c.lost || n.queueDropped > c.queueDropped) fates.push("lost");
    else {
      if (n.duplicated > c.duplicated) fates.push("duplicated");
      if (n.reordered > c.reordered) fates.push("reordered");
      if (n.corrupted > c.corrupted) fates.push("corrupted");
      if (fates.length === 0) fates.push("delivered");
    }
    world.tap({
      atMs: net.clock.now(),
      fromServer: from.address === pair.serverNode.address,
      bytes: data,
      fates,
    });
  };
  return world;
}
