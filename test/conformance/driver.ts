/**
 * A process for interop tests that must run inside a netlab namespace:
 *
 *   node driver.js serve [--rpcbind]       Lupine conformance server on 127.0.0.1, UDP and TCP;
 *                                           prints "driver: ready udp N tcp M"; stops on SIGTERM
 *   node driver.js check TARGET udp|tcp    the peer-client checks by a Lupine client against
 *                                           TARGET (e.g. rpcbind://127.0.0.1/udp); prints
 *                                           the FAIL lines and "N passed, N failed"
 */
import { createServer, createTransport } from "../../src/connect.js";
import { RpcbindClient } from "../../src/rpcbind/client.js";
import { PmapProgV2 } from "../../src/rpcbind/gen/rpcbind.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { runChecks, summary } from "./checks.js";
import { ConformanceProgV1, ConformanceProgV2 } from "./conformance-program.js";
import { conformanceHandlers } from "./conformance-server.js";

async function serve(rpcbind: boolean): Promise<void> {
  const h = conformanceHandlers();
  const server = createServer({ logger: silentLogger, closeGraceMs: 100, rpcbind });
  server.register(ConformanceProgV1, h.v1).register(ConformanceProgV2, h.v2);
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  console.log(`driver: ready udp ${u!.port} tcp ${t!.port}`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await server.close();
  console.log("driver: closed");
}

async function check(target: string, protocol: string): Promise<number> {
  // Programs the binder knows go through `target`; the unregistered version 3 and program
  // 0x20000098 (the error checks) go to the port it gave for version 2, as peer-client does.
  const proto = protocol === "tcp" ? "tcp" : "udp";
  const rpcb = new RpcbindClient(createTransport(PmapProgV2, "udp://127.0.0.1:111"));
  const port = await rpcb.getPort(ConformanceProgV2.program, 2, proto);
  await rpcb.close();
  const results = await runChecks(
    (program) =>
      program === ConformanceProgV1 || program === ConformanceProgV2
        ? createTransport(program, target)
        : createTransport(program, `${proto}://127.0.0.1:${port}`),
    protocol === "udp",
  );
  console.log(summary(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "serve") await serve(a === "--rpcbind");
else if (mode === "check" && a !== undefined && b !== undefined)
  process.exitCode = await check(a, b);
else {
  console.error("usage: driver.js serve [--rpcbind] | check TARGET udp|tcp");
  process.exitCode = 2;
}
