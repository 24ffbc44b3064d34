/**
 * The calculator server: serves CALC (examples/calc/calc.x, compiled by `lupine gen`) over ONC
 * RPC on UDP and TCP and over Lupine's reliable transport, and prints where.
 *
 *   node dist/examples/calc/server.js [--host 127.0.0.1] [--port 0]
 *
 * `--port 0` (the default) picks a free port for each transport; another port is used for all
 * three (UDP and TCP may share a number; Lupine's transport is UDP too, so it takes port + 1).
 */
import { parseArgs } from "node:util";
import { createServer } from "lupine";
import { CalcV1 } from "./gen/calc.js";
import { calcHandlers } from "./handlers.js";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
  },
});
const host = values.host.includes(":") ? `[${values.host}]` : values.host;
const port = Number(values.port);
const server = createServer();
server.register(CalcV1, calcHandlers());
const [udp, tcp, lupine] = await server.listen(
  `udp://${host}:${port}`,
  `tcp://${host}:${port}`,
  `lupine://${host}:${port === 0 ? 0 : port + 1}`,
);
console.log(
  `calc server: udp://${host}:${udp!.port} tcp://${host}:${tcp!.port} lupine://${host}:${lupine!.port}`,
);
const stop = async () => {
  await server.close(500);
  console.log("calc server: closed");
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
