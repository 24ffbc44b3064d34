/**
 * The textbook's UDP server (figure 50.1, server.c) on Lupine's UDP layer: bind a port, then
 * forever: receive a message, answer "goodbye world" to whoever sent it.
 *
 *   node dist/examples/udp-hello/server.js [--host 127.0.0.1] [--port 10000]
 *
 * Prints `server: listening on HOST:PORT` once bound (port 0 picks a free one), a line per
 * message, and exits cleanly on SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import { openUdp } from "lupine/udp";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "10000" },
  },
});

// UDP_Open(10000): a socket bound to a well-known port.
const socket = await openUdp({ host: values.host, port: Number(values.port) });
console.log(`server: listening on ${socket.local.address}:${socket.local.port}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => socket.close());

const reply = new TextEncoder().encode("goodbye world");
// while (1) { UDP_Read(...); UDP_Write(...); } — the loop ends when the socket is closed.
for await (const { data, from } of socket) {
  const message = new TextDecoder().decode(data);
  console.log(`server: got '${message}' from ${from.address}:${from.port}`);
  socket.send(reply, from);
}
console.log("server: closed");
