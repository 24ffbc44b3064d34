/**
 * End to end over loopback: a secure Lupine server process (`restart-server.ts`, its key in a
 * 0600 key file) is killed with SIGKILL while calls are in flight and started again with the same
 * key on the same port. Callers get their result or `outcome_unknown`, and no call runs twice
 * across the two processes (each process logs its executions); new calls work after a fresh
 * handshake. A UDP relay between client and server captures the first process's traffic; after
 * the restart it replays the old client datagrams to the new process and the old server
 * datagrams to the client: the new process drops and counts every one and runs nothing, and the
 * client delivers none of them (each judged as it arrives, `sim-world.ts`).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient, isRpcError } from "../../src/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { openUdp } from "../../src/io/node/udp.js";
import { generateKeyFile } from "../../src/secure/key-file.js";
import { suite25519ChaChaPolyBlake2s as suite, x25519 } from "../../src/secure/node-crypto.js";
import { PacketType } from "../../src/secure/packet.js";
import { totalDropped } from "../../src/secure/stats.js";
import { createSecureLupineClient } from "../../src/transport/lupine-secure.js";
import type { SecureClientPort } from "../../src/transport/secure-port.js";
import { RestartProgram } from "./restart-server.js";
import { ObservedPort, Observer } from "./sim-world.js";

const SERVER_JS = fileURLToPath(new URL("./restart-server.js", import.meta.url));

/** A server process and the lines it printed. */
class ServerProcess {
  readonly executions: number[] = [];
  private readonly waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("exec ")) this.executions.push(Number(line.slice(5)));
      const i = this.waiters.findIndex((w) => line.startsWith(w.prefix));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(line);
    });
  }

  /** The next line starting with `prefix` (rejects after `timeoutMs`). */
  next(prefix: string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${prefix}" line`)), timeoutMs);
      this.waiters.push({
        prefix,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  async stats(): Promise<{
    opened: number;
    handshakes: number;
    dropped: Record<string, number>;
    callsStarted: number;
  }> {
    const line = this.next("stats ");
    this.child.stdin!.write("stats\n");
    return JSON.parse((await line).slice(6));
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    this.child.kill("SIGKILL");
    return exited;
  }
}

const processes: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const p of processes) await p.kill();
  for (const c of cleanups.reverse()) await c();
});

async function startServer(
  keyFile: string,
  port: number,
): Promise<{ p: ServerProcess; port: number }> {
  const child = spawn(process.execPath, [SERVER_JS, keyFile, String(port)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const p = new ServerProcess(child);
  processes.push(p);
  const ready = await p.next("ready ");
  return { p, port: Number(ready.slice(6)) };
}

/** A UDP relay: client ↔ [front | back] ↔ server, capturing both directions. */
async function relay(serverPort: () => number) {
  const front = dgram.createSocket("udp4");
  const back = dgram.createSocket("udp4");
  let closed = false;
  cleanups.push(() => {
    closed = true;
    front.close();
    back.close();
  });
  await new Promise<void>((r) => front.bind(0, "127.0.0.1", r));
  await new Promise<void>((r) => back.bind(0, "127.0.0.1", r));
  let client: { port: number; address: string } | undefined;
  const captured = { toServer: [] as Buffer[], toClient: [] as Buffer[] };
  const observer = new Observer();
  front.on("message", (d, rinfo) => {
    client = { port: rinfo.port, address: rinfo.address };
    captured.toServer.push(Buffer.from(d));
    if (!closed) back.send(d, serverPort(), "127.0.0.1");
  });
  back.on("message", (d) => {
    captured.toClient.push(Buffer.from(d));
    observer.sent("server", d);
    if (!closed && client !== undefined) front.send(d, client.port, client.address);
  });
  return {
    port: (front.address() as { port: number }).port,
    captured,
    observer,
    /** Sends `d` to the server from the relay's back socket (where the client appears from). */
    toServer: (d: Buffer) => back.send(d, serverPort(), "127.0.0.1"),
    /** Sends `d` to the client as if from the server. */
    toClient: (d: Buffer) => client && front.send(d, client.port, client.address),
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `done()` holds, checking every 10 ms; rejects after `timeoutMs`. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await settle(10);
  }
}

test("a secure server process killed mid-flight and restarted with the same key: ok or outcome_unknown, never twice; new calls work; the old process's datagrams replayed both ways are rejected", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "lupine-restart-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "server.key");
  const serverKeys = await generateKeyFile(keyFile, nodeRandom);
  const first = await startServer(keyFile, 0);
  const port = first.port;
  const net = await relay(() => port);

  const udp = await openUdp({ host: "127.0.0.1" });
  const observed = new ObservedPort(udp, net.observer, "client");
  const transport = createSecureLupineClient({
    port: observed,
    server: { address: "127.0.0.1", port: net.port, family: "IPv4" },
    clock: nodeClock,
    random: nodeRandom,
    crc: nodeCrc32,
    suite,
    staticKeyPair: x25519.generateKeyPair(nodeRandom),
    serverPublicKey: serverKeys.publicKey,
    wallClockMs: () => Date.now(),
  });
  const securePort = (transport as unknown as { port: SecureClientPort }).port;
  observed.stats = securePort.initiator.stats;
  const c = createClient(RestartProgram, transport, { ownsTransport: true });
  cleanups.push(() => c.$close());
  const call = (id: number, delayMs: number) =>
    c.run(id, delayMs, { timeoutMs: 15_000 }).then(
      (r) => {
        assert.equal(r, id);
        return "ok";
      },
      (e: unknown) => (isRpcError(e) ? e.code : `thrown: ${String(e)}`),
    );

  const warm = await Promise.all(Array.from({ length: 100 }, (_, i) => call(1000 + i, 0)));
  assert.deepEqual(new Set(warm), new Set(["ok"]));

  // In flight at the kill: 10 calls executing (2 s each), and 20 short ones started 2 ms apart,
  // the kill coming after the 10th (some answered, some on the way, some sent to nobody).
  const inFlight: Promise<string>[] = [];
  for (let id = 1; id <= 10; id++) inFlight.push(call(id, 2000));
  await until(() => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].every((id) => first.p.executions.includes(id)));
  for (let k = 0; k < 20; k++) inFlight.push(settle(2 * k).then(() => call(11 + k, 0)));
  await settle(20);
  await first.p.kill();
  const oldToServer = net.captured.toServer.length;
  const oldToClient = net.captured.toClient.length;
  const second = await startServer(keyFile, port);
  assert.equal(second.port, port);
  const outcomes = await Promise.all(inFlight);
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
  t.diagnostic(`in flight at the kill: ${JSON.stringify(tally)}`);
  assert.deepEqual(
    Object.keys(tally).filter((o) => o !== "ok" && o !== "outcome_unknown"),
    [],
  );
  assert.deepEqual(outcomes.slice(0, 10), Array(10).fill("outcome_unknown"), "executing calls");

  // Until the client has seen the new process, a call may end outcome_unknown; then all work.
  let probes = 0;
  while ((await call(2000 + probes, 0)) !== "ok") assert.ok(++probes < 5, "reconnected");
  const fresh = await Promise.all(Array.from({ length: 50 }, (_, i) => call(3000 + i, 0)));
  assert.deepEqual(new Set(fresh), new Set(["ok"]));
  assert.ok(securePort.initiator.stats.handshakes >= 2, "a fresh handshake");

  // Replays of the first process's traffic, both ways.
  const before = await second.p.stats();
  const clientDrops = totalDropped(securePort.initiator.stats);
  const oldClient = net.captured.toServer.slice(0, oldToServer);
  const oldServer = net.captured.toClient.slice(0, oldToClient);
  const hints = oldServer.filter((d) => d[0] === PacketType.SessionUnknown).length;
  for (const d of oldClient) net.toServer(d);
  for (const d of oldServer) net.toClient(d);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  let afterStats = await second.p.stats();
  // Wait (bounded) until every replay has arrived on both sides, then a little for stragglers.
  await until(async () => {
    afterStats = await second.p.stats();
    const toServer = sum(afterStats.dropped) - sum(before.dropped) >= oldClient.length;
    const toClient =
      totalDropped(securePort.initiator.stats) - clientDrops >= oldServer.length - hints;
    return toServer && toClient;
  });
  await settle(50);
  afterStats = await second.p.stats();
  t.diagnostic(
    `replayed ${oldClient.length} old client datagrams: new process drops +${sum(afterStats.dropped) - sum(before.dropped)}; ` +
      `${oldServer.length} old server datagrams: client drops +${totalDropped(securePort.initiator.stats) - clientDrops}`,
  );
  assert.equal(sum(afterStats.dropped) - sum(before.dropped), oldClient.length, "all counted");
  assert.equal(afterStats.callsStarted, before.callsStarted, "none reached the reliable layer");
  const fates: Record<string, number> = {};
  for (const d of oldServer) {
    const f = net.observer.fateOf(d) ?? "never arrived";
    fates[f] = (fates[f] ?? 0) + 1;
  }
  t.diagnostic(`old server datagrams at the client: ${JSON.stringify(fates)}`);
  assert.equal(fates.delivered, undefined, "none delivered");
  assert.deepEqual(net.observer.violations, []);
  const counted = totalDropped(securePort.initiator.stats) - clientDrops;
  assert.ok(counted >= oldServer.length - hints, `${counted} of ${oldServer.length} counted`);

  // No call ran twice, across both processes; every call that succeeded ran exactly once.
  const runs = new Map<number, number>();
  for (const id of [...first.p.executions, ...second.p.executions]) {
    runs.set(id, (runs.get(id) ?? 0) + 1);
  }
  assert.deepEqual(
    [...runs].filter(([, n]) => n > 1),
    [],
  );
  outcomes.forEach((o, i) => {
    if (o === "ok") assert.equal(runs.get(i + 1), 1, `call ${i + 1}`);
  });
  for (const id of [...warm.keys()].map((i) => 1000 + i)) assert.equal(runs.get(id), 1);
});
