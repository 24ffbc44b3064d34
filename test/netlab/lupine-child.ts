/**
 * Child process of the netlab test (lupine-netlab.test.ts), run inside a netlab host:
 *
 * - `server EXECFILE`: serves the ledger program on 127.0.0.1, appending `id result` to EXECFILE
 *   for every handler execution; prints `{"port": N}`; exits when stdin ends.
 * - `client PORT CALLS CONCURRENCY OUTFILE`: makes ledger calls (some fragmented, some long) and
 *   writes every call's start, deadline, settlement and result to OUTFILE as JSON.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { nodeClock } from "../../src/io/node/clock.js";
import { isRpcError } from "../../src/runtime/errors.js";
import {
  CallLedger,
  digest,
  ledgerDispatcher,
  ledgerRequest,
  replyPayload,
  resultKey,
} from "../../src/testing/index.js";
import { connectLupine, listenLupine } from "../../src/transport/lupine-node.js";

export interface ChildCall {
  id: number;
  startedMs: number;
  deadlineMs: number;
  settledMs: number;
  outcome: string;
  received?: string;
}

async function server(execFile: string): Promise<void> {
  const ledger = new CallLedger();
  ledger.executed = (id: number, value: string) => appendFileSync(execFile, `${id} ${value}\n`);
  const { transport, address } = await listenLupine(ledgerDispatcher(ledger, nodeClock), {
    host: "127.0.0.1",
    log: () => {},
  });
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void transport.close(0).then(() => process.exit(0));
  });
}

async function client(
  port: number,
  calls: number,
  concurrency: number,
  out: string,
): Promise<void> {
  const t = await connectLupine({ host: "127.0.0.1", port });
  const results: ChildCall[] = [];
  let next = 1;
  const timeoutMs = 15_000;
  const worker = async () => {
    while (next <= calls) {
      const id = next++;
      const big = id % 10 === 0;
      const payload = big ? replyPayload(id, 20_000) : replyPayload(id, id % 100);
      const delayMs = id % 25 === 0 ? 50 : 0;
      const rec: ChildCall = {
        id,
        startedMs: performance.now(),
        deadlineMs: performance.now() + timeoutMs,
        settledMs: 0,
        outcome: "",
      };
      try {
        const r = await t.call(
          ledgerRequest({ id, delayMs, replyBytes: big ? 30_000 : 16, payload }, timeoutMs),
        );
        rec.outcome = r.payloadDigest === digest(payload) ? "ok" : "bad-digest";
        rec.received = resultKey(r.id, r.payloadDigest, r.reply);
      } catch (e) {
        rec.outcome = isRpcError(e) ? e.code : `thrown: ${String(e)}`;
      }
      rec.settledMs = performance.now();
      results.push(rec);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  writeFileSync(out, JSON.stringify({ results, stats: t.stats() }));
  await t.close();
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "server") void server(rest[0]!);
else if (mode === "client") {
  void client(Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3]!).then(() =>
    process.exit(0),
  );
}
