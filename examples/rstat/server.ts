/**
 * An rstat server in TypeScript: RSTATPROG versions 3, 2 and 1 from the stock
 * /usr/include/rpcsvc/rstat.x (compiled by `lupine gen` into gen/rstat.ts), answering with this
 * machine's real numbers from /proc — what `rpc.rstatd` does, so `rup` and any rpcgen client can
 * ask it.
 *
 *   node dist/examples/rstat/server.js [--host 127.0.0.1] [--port 0] [--rpcbind]
 *
 * `--rpcbind` registers every version with the host's rpcbind (port 111), as `rup` expects.
 */
import { parseArgs } from "node:util";
import { createServer } from "lupine";
import { RstatprogV1, RstatprogV2, RstatprogV3 } from "./gen/rstat.js";
import { readStats, toOrig, toSwtch } from "./proc-stats.js";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    rpcbind: { type: "boolean", default: false },
  },
});
/** RSTATPROC_HAVEDISK: 1 when a disk has done any transfer. */
const haveDisk = () => (readStats().dk_xfer.some((x) => x !== 0) ? 1 : 0);
const server = createServer({ rpcbind: values.rpcbind });
server
  .register(RstatprogV3, { rstatprocStats: () => readStats(), rstatprocHavedisk: haveDisk })
  .register(RstatprogV2, {
    rstatprocStats: () => toSwtch(readStats()),
    rstatprocHavedisk: haveDisk,
  })
  .register(RstatprogV1, {
    rstatprocStats: () => toOrig(readStats()),
    rstatprocHavedisk: haveDisk,
  });
const host = values.host.includes(":") ? `[${values.host}]` : values.host;
const [udp, tcp] = await server.listen(
  `udp://${host}:${values.port}`,
  `tcp://${host}:${values.port}`,
);
console.log(
  `rstat server: udp ${udp!.port} tcp ${tcp!.port}${values.rpcbind ? " (registered with rpcbind)" : ""}`,
);
const stop = async () => {
  await server.close(500);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
