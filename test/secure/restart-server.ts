/**
 * A secure Lupine server process for `restart-process.test.ts`: reads its private key from a key
 * file (permissions checked), binds `127.0.0.1:<port>` (0: ephemeral), and serves a program whose
 * handlers write one line per execution to stdout (a pipe: synchronous on Linux, so a line
 * written before SIGKILL is not lost). Lines: `ready <port>`, `exec <id>`, and, for each `stats`
 * line on stdin, `stats <json>` (the secure layer's counters and the reliable layer's calls).
 *
 * Usage: node restart-server.js <key-file> <port>
 */
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { defineProgram, xdr } from "../../src/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { nodeRandom } from "../../src/io/node/random.js";
import { openUdp } from "../../src/io/node/udp.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import { readPrivateKeyFile } from "../../src/secure/key-file.js";
import { suite25519ChaChaPolyBlake2s as suite } from "../../src/secure/node-crypto.js";
import { createSecureLupineServer } from "../../src/transport/lupine-secure.js";
import { collectingLogger } from "../helpers/spoof.js";

/** The program: `run(id, delayMs)` logs its execution, waits, and returns `id`. */
export const RestartProgram = defineProgram({
  name: "RESTART_PROG",
  program: 0x20008282,
  version: 1,
  procedures: {
    run: { procedure: 1, name: "RUN", args: [xdr.uint, xdr.uint], result: xdr.uint },
  },
});

async function main(): Promise<void> {
  const [keyFile, portText] = process.argv.slice(2);
  if (keyFile === undefined || portText === undefined) throw new Error("usage: <key-file> <port>");
  const staticKeyPair = await readPrivateKeyFile(keyFile);
  const table = new ProgramTable({ logger: collectingLogger().logger });
  table.register(RestartProgram, {
    run: async (id: number, delayMs: number) => {
      process.stdout.write(`exec ${id}\n`);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return id;
    },
  });
  const port = await openUdp({ host: "127.0.0.1", port: Number(portText) });
  const server = createSecureLupineServer({
    port,
    clock: nodeClock,
    random: nodeRandom,
    crc: nodeCrc32,
    suite,
    staticKeyPair,
    log: () => {},
  });
  const at = await server.listen(table);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line !== "stats") return;
    const s = server.securePort.responder.stats;
    const r = server.stats();
    process.stdout.write(
      `stats ${JSON.stringify({ opened: s.opened, handshakes: s.handshakes, dropped: s.dropped, callsStarted: r.callsStarted })}\n`,
    );
  });
  process.stdout.write(`ready ${at.port}\n`);
}

// Run only as a program (the test imports the program descriptor).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
