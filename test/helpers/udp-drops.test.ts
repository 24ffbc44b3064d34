import assert from "node:assert/strict";
import * as dgram from "node:dgram";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { udpKernelDrops } from "./udp-drops.js";

const linux = existsSync("/proc/net/udp");

test("udpKernelDrops: every datagram sent to a socket over loopback was received or counted as dropped", {
  skip: linux ? false : "needs Linux's /proc/net/udp",
}, async () => {
  // A 4 KiB receive buffer and 200 datagrams of 1,000 bytes sent in one turn: most overflow.
  const receiver = dgram.createSocket({ type: "udp4", recvBufferSize: 4096 });
  await new Promise<void>((ok) => receiver.bind(0, "127.0.0.1", ok));
  let received = 0;
  receiver.on("message", () => received++);
  const sender = dgram.createSocket("udp4");
  const port = receiver.address().port;
  const sent = 200;
  let done = 0;
  const allSent = new Promise<void>((ok) => {
    for (let i = 0; i < sent; i++)
      sender.send(Buffer.alloc(1000), port, "127.0.0.1", () => {
        if (++done === sent) ok();
      });
  });
  await allSent;
  const deadline = performance.now() + 2000;
  while (received + udpKernelDrops(port) < sent && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const drops = udpKernelDrops(port);
  receiver.close();
  sender.close();
  assert.ok(drops > 0, `expected the 4 KiB buffer to overflow (received ${received})`);
  assert.equal(received + drops, sent);
});
