/**
 * A recording relay for loopback traffic: a UDP and a TCP listener on 127.0.0.1 that forward
 * everything to an upstream server and back, keeping a copy of every datagram and of each TCP
 * connection's byte stream (both directions). Put between a client and a server, it yields real
 * wire bytes — what rpcgen/libtirpc and Lupine actually send — for the fuzzing corpus.
 */
import * as dgram from "node:dgram";
import * as net from "node:net";

/** One captured datagram. */
export interface CapturedDatagram {
  readonly toServer: boolean;
  readonly data: Uint8Array;
}

/** One captured TCP connection. */
export interface CapturedStream {
  toServer: Uint8Array[];
  toClient: Uint8Array[];
}

/** A running relay (see the module comment). */
export interface Relay {
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly datagrams: CapturedDatagram[];
  readonly streams: CapturedStream[];
  close(): Promise<void>;
}

/** Starts a relay to `upstream` UDP and TCP ports on 127.0.0.1. */
export async function startRelay(upstream: { udp: number; tcp: number }): Promise<Relay> {
  const datagrams: CapturedDatagram[] = [];
  const streams: CapturedStream[] = [];
  const front = dgram.createSocket("udp4");
  // One upstream socket per client address, so replies find their way back.
  const backs = new Map<string, dgram.Socket>();
  front.on("message", (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let back = backs.get(key);
    if (back === undefined) {
      const b = dgram.createSocket("udp4");
      b.on("message", (reply) => {
        datagrams.push({ toServer: false, data: new Uint8Array(reply) });
        front.send(reply, from.port, from.address);
      });
      backs.set(key, b);
      back = b;
    }
    datagrams.push({ toServer: true, data: new Uint8Array(msg) });
    back.send(msg, upstream.udp, "127.0.0.1");
  });
  await new Promise<void>((resolve) => front.bind(0, "127.0.0.1", resolve));

  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const captured: CapturedStream = { toServer: [], toClient: [] };
    streams.push(captured);
    const up = net.connect(upstream.tcp, "127.0.0.1");
    for (const s of [client, up]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.on("data", (d) => {
      captured.toServer.push(new Uint8Array(d));
      up.write(d);
    });
    up.on("data", (d) => {
      captured.toClient.push(new Uint8Array(d));
      client.write(d);
    });
    client.on("end", () => up.end());
    up.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    udpPort: (front.address() as { port: number }).port,
    tcpPort: (server.address() as net.AddressInfo).port,
    datagrams,
    streams,
    async close() {
      front.close();
      for (const b of backs.values()) b.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
