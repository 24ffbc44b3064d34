/**
 * The reliable transport's receive paths (`src/reliable`, sans I/O), with the real state machines:
 *
 * - `reliable-server`: `ServerEndpoint.receive` on any datagram, calls completed at once, then
 *   `poll` and `flush`.
 * - `reliable-client`: `ClientSession.receive` with calls in flight, then `poll` and `flush`.
 *
 * Byte 0 of an input is a flag: bit 0 reseals the checksum after mutation (CRC-32C over the
 * datagram: random changes would otherwise stop at the checksum), bit 1 also writes the server's
 * epoch first. The rest is the datagram. Checks: nothing throws; what each side sends has a valid
 * header and the right direction flag; each call settles at most once; sessions, reassembly and
 * the reply cache stay within their limits. Seeds: the datagrams of a real exchange between a
 * client and a server (Hello, Welcome, small and fragmented calls and replies, acks, Working,
 * Busy), with seeded randomness so the session ids match every run.
 */
import { crc32 } from "../../../src/reliable/checksum.js";
import { ClientSession } from "../../../src/reliable/client-session.js";
import { joinDatagram } from "../../../src/reliable/datagram-builder.js";
import { type Header, HeaderFlag, readHeader, sealChecksum } from "../../../src/reliable/packet.js";
import { ServerEndpoint } from "../../../src/reliable/server-endpoint.js";
import type { ServerCall } from "../../../src/reliable/server-session.js";
import { seededRandom } from "../../helpers/prng.js";
import { check, type FuzzTarget, proportionalBudget } from "../engine/target.js";

const EPOCH = 77;
/** The endpoint's default limits, but few sessions (the defaults allow 100,000). */
const LIMITS = { maxSessions: 32 };
/** Output datagrams come from 1 MiB slabs (`datagram-builder.ts`), refilled as they are used. */
const SLAB_BYTES = 1 << 20;

function newServer(calls: ServerCall[]): ServerEndpoint {
  return new ServerEndpoint({
    random: seededRandom(201),
    crc: crc32,
    maxDatagramBytes: 1472,
    epoch: EPOCH,
    onCall: (call) => calls.push(call),
    ...LIMITS,
  });
}

function newClient(settled: Map<unknown, number>): ClientSession {
  return new ClientSession({
    random: seededRandom(202),
    crc: crc32,
    maxDatagramBytes: 1472,
    onSettle: (token) => settled.set(token, (settled.get(token) ?? 0) + 1),
  });
}

/** The datagrams of a real exchange, each way. */
function exchange(): { toServer: Uint8Array[]; toClient: Uint8Array[] } {
  const calls: ServerCall[] = [];
  const server = newServer(calls);
  const client = newClient(new Map());
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const round = (now: number) => {
    client.poll(now);
    for (const d of client.flush(now)) {
      toServer.push(Uint8Array.from(joinDatagram(d)));
      server.receive(now, joinDatagram(d), "client");
    }
    server.poll(now);
    server.flush(now, (d) => {
      toClient.push(Uint8Array.from(joinDatagram(d)));
      client.receive(now, joinDatagram(d));
    });
  };
  const big = new Uint8Array(5000).map((_, i) => i & 0xff);
  client.startCall(0, "small", [Uint8Array.of(1, 2, 3)], 10_000);
  client.startCall(0, "big", [big], 10_000);
  let now = 0;
  const rounds = (n: number, stepMs: number) => {
    for (let i = 0; i < n; i++) {
      now += stepMs;
      round(now);
    }
  };
  rounds(10, 1);
  // Replies: one small, one fragmented; a third call is refused (Busy); a fourth left running
  // long enough for Working.
  if (calls[0] !== undefined) server.complete(now, calls[0], [Uint8Array.of(9)]);
  if (calls[1] !== undefined) server.complete(now, calls[1], [big]);
  client.startCall(now, "busy", [Uint8Array.of(4)], 10_000);
  client.startCall(now, "slow", [Uint8Array.of(5)], 10_000);
  rounds(5, 1);
  if (calls[2] !== undefined) server.refuse(calls[2], 10);
  rounds(20, 3);
  return { toServer, toClient };
}

function prepare(input: Uint8Array): Uint8Array {
  const d = Uint8Array.from(input.subarray(1));
  if (d.length >= 20 && (input[0]! & 2) !== 0) new DataView(d.buffer).setUint32(16, EPOCH);
  if (d.length >= 20 && (input[0]! & 1) !== 0) sealChecksum(d, crc32);
  return d;
}

function checkSent(d: Uint8Array, fromServer: boolean): void {
  const h: Header = { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 };
  check(readHeader(d, crc32, h) === "ok", "sent a datagram with a bad header");
  check(((h.flags & HeaderFlag.FromServer) !== 0) === fromServer, "wrong direction flag");
  check(d.length <= 1472, `sent ${d.length} bytes (limit 1472)`);
}

const seedsOf = (ds: Uint8Array[]) =>
  ds.flatMap((d) => [Uint8Array.of(0, ...d), Uint8Array.of(1, ...d)]);

/** The server side. */
export function serverTarget(): FuzzTarget {
  const seeds = exchange();
  const calls: ServerCall[] = [];
  const server = newServer(calls);
  let now = 0;
  return {
    name: "reliable-server",
    summary:
      "ServerEndpoint receive/poll/flush on any datagram: no throw; valid output; bounded state",
    maxLength: 1500,
    timeLimitMs: 100,
    budget: proportionalBudget(4, SLAB_BYTES),
    seeds: () => seedsOf(seeds.toServer),
    run(input) {
      if (input.length < 1) return;
      now += 0.05;
      server.receive(now, prepare(input), "client");
      for (const call of calls.splice(0)) server.complete(now, call, [Uint8Array.of(7, 7)]);
      server.poll(now);
      server.flush(now, (d) => checkSent(joinDatagram(d), true));
      const s = server.stats();
      check(s.sessions <= LIMITS.maxSessions, `${s.sessions} sessions`);
      check(s.reassemblyBytes <= 4 * 1024 ** 3, `${s.reassemblyBytes} reassembling`);
    },
  };
}

/** The client side. */
export function clientTarget(): FuzzTarget {
  const seeds = exchange();
  const settled = new Map<unknown, number>();
  const client = newClient(settled);
  let now = 0;
  let token = 0;
  return {
    name: "reliable-client",
    summary:
      "ClientSession receive/poll/flush on any datagram: no throw; valid output; settles once",
    maxLength: 1500,
    timeLimitMs: 100,
    budget: proportionalBudget(4, SLAB_BYTES),
    seeds: () => seedsOf(seeds.toClient),
    run(input) {
      if (input.length < 1) return;
      now += 0.05;
      if (client.stats().callsInFlight + client.stats().callsQueued < 4) {
        client.startCall(now, token++, [Uint8Array.of(token & 0xff)], 1000);
      }
      client.receive(now, prepare(input));
      client.poll(now);
      for (const d of client.flush(now)) checkSent(joinDatagram(d), false);
      for (const [t, n] of settled) check(n === 1, `call ${String(t)} settled ${n} times`);
      check(client.stats().reassemblyBytes <= 4 * 1024 ** 3, "reassembly over its limit");
    },
  };
}
