/**
 * The textbook's UDP client (figure 50.1, client.c) on Lupine's UDP layer: send "hello world"
 * to the server and print its reply.
 *
 *   node dist/examples/udp-hello/client.js [--host localhost] [--port 10000] [--timeout-ms 2000]
 *
 * Unlike the figure's client, which blocks forever if the message or the reply is lost (UDP
 * promises neither), this one gives up after `--timeout-ms` and exits with status 1: making such
 * failures the RPC layer's business is what the rest of the chapter, and of Lupine, is about.
 */
import { parseArgs } from "node:util";
import { openUdp, resolve } from "lupine/udp";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "localhost" },
    port: { type: "string", default: "10000" },
    message: { type: "string", default: "hello world" },
    "timeout-ms": { type: "string", default: "2000" },
  },
});

// UDP_FillSockAddr(&addrSnd, host, 10000): look the server up. The server binds IPv4 by default,
// so prefer an IPv4 address when the name has both (localhost often does).
const found = await resolve(values.host, Number(values.port));
const server = found.find((e) => e.family === "IPv4") ?? found[0];
if (server === undefined) throw new Error(`no address for ${values.host}`);
// UDP_Open(0): any free local port will do for a client.
const socket = await openUdp({ family: server.family === "IPv6" ? 6 : 4 });
const timeoutMs = Number(values["timeout-ms"]);
const timer = setTimeout(() => socket.close(), timeoutMs);

// UDP_Write(sd, &addrSnd, message, ...)
socket.send(new TextEncoder().encode(values.message), server);
console.log(`client: sent '${values.message}' to ${server.address}:${server.port}`);

// UDP_Read(sd, &addrRcv, message, ...): the first datagram from the server is the reply.
let replied = false;
for await (const { data, from } of socket) {
  if (from.address !== server.address || from.port !== server.port) continue; // not the server
  console.log(`client: reply from ${from.address}:${from.port}: ${new TextDecoder().decode(data)}`);
  replied = true;
  break; // leaving the loop closes the socket
}
clearTimeout(timer);
if (!replied) {
  console.error(`client: no reply within ${timeoutMs} ms (the message or the reply may be lost)`);
  process.exitCode = 1;
}
