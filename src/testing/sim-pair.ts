/**
 * A ready-made simulated client–server pair: a {@link SimNetwork}, a Lupine server serving the
 * ledger program on one node, and Lupine clients on others, all on one seed. For tests, the
 * reliability lab and the demo: `const pair = createSimPair({ seed, link: { loss: 0.1 } })`, then
 * `pair.client.call(ledgerRequest(...))` and `await pair.net.clock.run({ done })`.
 */

import { crc32 } from "../reliable/checksum.js";
import type { Dispatcher } from "../runtime/transport.js";
import {
  createLupineClient,
  type LupineClientOptions,
  type LupineClientTransport,
} from "../transport/lupine-client.js";
import {
  createLupineServer,
  type LupineServerOptions,
  type LupineServerTransport,
} from "../transport/lupine-server.js";
import { CallLedger } from "./invariants.js";
import { ledgerDispatcher } from "./ledger-program.js";
import { type LinkConfig, SimNetwork, type SimNode } from "./sim-network.js";

/** Options of {@link createSimPair}. */
export interface SimPairOptions {
  readonly seed: number;
  /** Settings of every link (default: clean 1 ms, MTU 1500). */
  readonly link?: Partial<LinkConfig>;
  /** Extra server transport options. */
  readonly server?: Partial<Omit<LupineServerOptions, "port" | "clock" | "random" | "crc">>;
  /** Extra client transport options. */
  readonly client?: Partial<
    Omit<LupineClientOptions, "port" | "clock" | "random" | "crc" | "server">
  >;
  /** Serve this instead of the ledger program. */
  readonly dispatcher?: (ledger: CallLedger, net: SimNetwork) => Dispatcher;
}

export interface SimPair {
  readonly net: SimNetwork;
  readonly ledger: CallLedger;
  readonly serverNode: SimNode;
  /** The server now running (a new one after {@link restartServer}). */
  server: LupineServerTransport;
  /** The first client. */
  readonly client: LupineClientTransport;
  /** Adds a client on a new node. */
  addClient(): LupineClientTransport;
  /** Crashes the server's node (in-flight datagrams to it are lost). */
  crashServer(): void;
  /** Brings the node back with a new server (a new epoch). */
  restartServer(): LupineServerTransport;
}

export const SIM_SERVER_ADDRESS = "10.0.0.1";
export const SIM_SERVER_PORT = 7000;

/** Creates a simulated network with one Lupine server and one client. */
export function createSimPair(options: SimPairOptions): SimPair {
  const mtu = options.link?.mtu ?? 1500;
  const net = new SimNetwork({ seed: options.seed, link: { mtu, ...options.link } });
  const ledger = new CallLedger();
  const serverNode = net.node(SIM_SERVER_ADDRESS);
  const dispatcher = options.dispatcher?.(ledger, net) ?? ledgerDispatcher(ledger, net.clock);
  const startServer = () => {
    const s = createLupineServer({
      maxDatagramBytes: mtu - 28,
      log: () => {},
      ...options.server,
      port: serverNode.open(SIM_SERVER_PORT),
      clock: net.clock,
      random: net.random,
      crc: crc32,
      defer: net.clock.defer,
    });
    void s.listen(dispatcher);
    return s;
  };
  let clients = 0;
  const addClient = () => {
    const node = net.node(`10.0.1.${++clients}`);
    return createLupineClient({
      maxDatagramBytes: mtu - 28,
      ...options.client,
      port: node.open(),
      server: { address: SIM_SERVER_ADDRESS, port: SIM_SERVER_PORT, family: "IPv4" },
      clock: net.clock,
      random: net.random,
      crc: crc32,
      defer: net.clock.defer,
    });
  };
  const pair: SimPair = {
    net,
    ledger,
    serverNode,
    server: startServer(),
    client: addClient(),
    addClient,
    crashServer: () => serverNode.crash(),
    restartServer: () => {
      serverNode.restart();
      pair.server = startServer();
      return pair.server;
    },
  };
  return pair;
}
