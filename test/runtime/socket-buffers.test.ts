/**
 * A `lupine://` server or client whose kernel receive buffer is capped below what it asked
 * (`net.core.rmem_max`) says so once per process, through the logger, with the sysctl that lifts
 * the cap; one granted what it asked says nothing. The tests run in order: the warning is once
 * per process.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createClient, createServer } from "../../src/connect.js";
import type { Logger } from "../../src/runtime/logger.js";
import { defineProgram } from "../../src/runtime/program.js";
import * as xdr from "../../src/xdr/index.js";
import { rmemMax } from "../helpers/kernel-buffers.js";

const cap = rmemMax();
const skip = typeof cap === "string" ? cap : false;

const P = defineProgram({
  name: "B_PROG",
  program: 0x20001250,
  version: 1,
  procedures: { echo: { procedure: 1, name: "ECHO", args: [xdr.uint], result: xdr.uint } },
});

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

/** A logger that keeps its warnings. */
function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), error: () => {} };
}

async function serve(logger: Logger, recvBufferSize: number) {
  const server = createServer({ logger, lupine: { recvBufferSize } });
  server.register(P, { echo: (x) => x });
  const [address] = await server.listen("lupine://127.0.0.1:0");
  closers.push(() => server.close(0));
  return address!.port;
}

test("a receive buffer the kernel grants is not reported", { skip }, async () => {
  const logger = capture();
  const port = await serve(logger, Math.floor((cap as number) / 2));
  const client = createClient(P, `lupine://127.0.0.1:${port}`, {
    logger,
    lupine: { recvBufferSize: Math.floor((cap as number) / 2) },
  });
  closers.push(() => client.$close());
  assert.equal(await client.echo(7), 7);
  assert.deepEqual(logger.warnings, []);
});

test("a capped receive buffer is reported once per process, with the sysctl", {
  skip,
}, async () => {
  const asked = 4 * (cap as number);
  const logger = capture();
  const port = await serve(logger, asked);
  await serve(logger, asked);
  const client = createClient(P, `lupine://127.0.0.1:${port}`, {
    logger,
    lupine: { recvBufferSize: asked },
  });
  closers.push(() => client.$close());
  assert.equal(await client.echo(8), 8, "a capped buffer still works");
  assert.equal(logger.warnings.length, 1, logger.warnings.join("\n"));
  assert.match(
    logger.warnings[0]!,
    new RegExp(`receive buffer of ${cap} bytes of the ${asked} asked`),
  );
  assert.match(logger.warnings[0]!, new RegExp(`sysctl -w net\\.core\\.rmem_max=${asked}`));
});
