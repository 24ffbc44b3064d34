/**
 * The secure transport's receive paths (`src/secure`, sans I/O), with real keys:
 *
 * - `secure-responder`: `SecureResponder.receive` on any datagram. Byte 0 of the input is a flag
 *   (bit 0: recompute the initiation's mac1 after mutation, so that mutated Noise messages get
 *   past the MAC and into the handshake code); the rest is the datagram.
 * - `secure-initiator`: `SecureInitiator.receive` on any datagram, with a handshake in progress.
 * - `secure-keys` (below): key and allow-list text.
 *
 * Checks: nothing throws; every `dropped` result counts exactly one drop; only byte-identical
 * genuine datagrams (made by the real peer during seeding) are delivered, establish a session or
 * yield a cookie — a mutated one never does; replies are packets of ours, at most 3× the
 * datagram they answer. Seeds: a real handshake, cookie reply, data packets both ways and a
 * "session unknown" hint between a seeded client and server (the keys are seeded, so the seeds
 * are the same every run).
 */
import type { Random } from "../../../src/io/index.js";
import { parseAllowList } from "../../../src/secure/allow-list.js";
import { cookieKeys, mac } from "../../../src/secure/cookie.js";
import { SecureInitiator } from "../../../src/secure/initiator.js";
import { decodeKey, encodeKey } from "../../../src/secure/key-text.js";
import { suite25519ChaChaPolyBlake2s as suite } from "../../../src/secure/node-crypto.js";
import { MAC1_OFFSET, PacketType, packetType } from "../../../src/secure/packet.js";
import { SecureResponder } from "../../../src/secure/responder.js";
import { totalDropped } from "../../../src/secure/stats.js";
import { seededRandom } from "../../helpers/prng.js";
import { check, type FuzzTarget, proportionalBudget } from "../engine/target.js";

const WALL_MS = 1_750_000_000_000;
const ADDRESS = "IPv4/127.0.0.1/40000";
const text = (s: string) => new TextEncoder().encode(s);
const hex = (d: Uint8Array) => Buffer.from(d).toString("hex");

const serverKeys = suite.dh.generateKeyPair(seededRandom(101));
const clientKeys = suite.dh.generateKeyPair(seededRandom(102));

function newServer(admission = {}): SecureResponder {
  return new SecureResponder({
    suite,
    staticKeyPair: serverKeys,
    random: seededRandom(103),
    nowMs: 0,
    admission,
  });
}

/** A client with a handshake in progress (the same initiation every time). */
function newClient(): { client: SecureInitiator; initiation: Uint8Array } {
  const client = new SecureInitiator({
    suite,
    staticKeyPair: clientKeys,
    serverPublicKey: serverKeys.publicKey,
    random: seededRandom(104),
  });
  return { client, initiation: client.initiate(0, WALL_MS) };
}

/** Genuine datagrams of a real exchange. */
function exchange() {
  const { client, initiation } = newClient();
  const server = newServer();
  const response = server.receive(initiation, ADDRESS, 0);
  if (response.kind !== "reply") throw new Error("no handshake response");
  const cookie = newServer({ unprovenHandshakesPerSecond: 0 }).receive(initiation, ADDRESS, 0);
  if (cookie.kind !== "reply") throw new Error("no cookie reply");
  if (client.receive(response.datagram, 0).kind !== "established") throw new Error("no session");
  const toServer = [client.seal(text("hello"), 0)!, client.seal(new Uint8Array(0), 0)!];
  const opened = server.receive(toServer[0]!, ADDRESS, 0);
  if (opened.kind !== "data") throw new Error("server did not open data");
  const toClient = server.seal(opened.peer, text("world"), 0)!.datagram;
  const unknown = server.receive(
    Uint8Array.of(4, 0, 0, 0, 9, 9, 9, 9, ...new Uint8Array(24)),
    ADDRESS,
    0,
  );
  const hint = unknown.kind === "reply" ? unknown.datagram : new Uint8Array(8);
  return {
    initiation,
    response: response.datagram,
    cookie: cookie.datagram,
    toServer,
    toClient,
    hint,
  };
}

/** The responder target; see the module comment. */
export function responderTarget(): FuzzTarget {
  const genuine = exchange();
  const server = newServer();
  const mac1Key = cookieKeys(suite.hash, serverKeys.publicKey).mac1Key;
  const delivered = new Set([...genuine.toServer, genuine.initiation].map(hex));
  let nowMs = 0;
  return {
    name: "secure-responder",
    summary: "SecureResponder.receive: never throws; drops counted; forged packets never delivered",
    maxLength: 1500,
    timeLimitMs: 100,
    budget: proportionalBudget(2, 4096),
    seeds: (random: Random) => [
      Uint8Array.of(0, ...genuine.initiation),
      Uint8Array.of(1, ...genuine.initiation),
      ...genuine.toServer.map((d) => Uint8Array.of(0, ...d)),
      Uint8Array.of(0, ...genuine.hint),
      Uint8Array.of(0, ...random.bytes(40)),
    ],
    run(input) {
      if (input.length < 1) return;
      nowMs += 0.01;
      const datagram = Uint8Array.from(input.subarray(1));
      if ((input[0]! & 1) === 1 && datagram.length === 148 && datagram[0] === 1) {
        datagram.set(mac(suite.hash, mac1Key, datagram.subarray(0, MAC1_OFFSET)), MAC1_OFFSET);
      }
      const before = totalDropped(server.stats);
      const r = server.receive(datagram, ADDRESS, nowMs);
      const dropped = totalDropped(server.stats) - before;
      if (r.kind === "dropped") check(dropped === 1, `a drop counted ${dropped} times`);
      else check(dropped <= 1, `counted ${dropped} drops`);
      if (r.kind === "data") {
        check(delivered.has(hex(datagram)), "a forged or mutated data packet was delivered");
      } else if (r.kind === "reply") {
        const type = packetType(r.datagram);
        check(
          type === PacketType.Response ||
            type === PacketType.CookieReply ||
            type === PacketType.SessionUnknown,
          `reply of type ${type}`,
        );
        check(r.datagram.length <= 3 * datagram.length, "reply more than 3x the datagram");
      }
    },
  };
}

/** The initiator target; see the module comment. */
export function initiatorTarget(): FuzzTarget {
  const genuine = exchange();
  const trusted = new Set([genuine.response, genuine.cookie, genuine.toClient].map(hex));
  // One client mid-handshake (rebuilt when a genuine response completes it), one with a session.
  let pending = newClient().client;
  const established = newClient().client;
  established.receive(genuine.response, 0);
  let nowMs = 0;
  const receive = (client: SecureInitiator, input: Uint8Array) => {
    const before = totalDropped(client.stats);
    const r = client.receive(input, nowMs);
    const dropped = totalDropped(client.stats) - before;
    if (r.kind === "dropped") check(dropped === 1, `a drop counted ${dropped} times`);
    else if (r.kind === "refused") check(false, "refused by a forged response");
    else if (r.kind === "rehandshake") {
      check(packetType(input) === PacketType.SessionUnknown, "rehandshake from a non-hint");
    } else {
      // The server's index (bytes 4-7 of a response) is outside the Noise message, as in
      // WireGuard: changing it makes the session unusable, not forged (docs/fuzzing.md).
      const reindexed =
        r.kind === "established" &&
        input.length === genuine.response.length &&
        hex(input.subarray(8)) === hex(genuine.response.subarray(8)) &&
        hex(input.subarray(0, 4)) === hex(genuine.response.subarray(0, 4));
      check(trusted.has(hex(input)) || reindexed, `${r.kind} from a forged or mutated datagram`);
    }
    return r.kind;
  };
  return {
    name: "secure-initiator",
    summary:
      "SecureInitiator.receive mid-handshake and in session: never throws; forgeries ignored",
    maxLength: 1500,
    timeLimitMs: 100,
    budget: proportionalBudget(2, 4096),
    seeds: (random: Random) => [
      genuine.response,
      genuine.cookie,
      genuine.toClient,
      genuine.hint,
      random.bytes(61),
    ],
    run(input) {
      nowMs += 0.01;
      if (receive(pending, input) === "established") pending = newClient().client;
      receive(established, input);
    },
  };
}

/**
 * `secure-keys`: the text of key files and allow-lists (user input: `lupine keygen` output,
 * hand-edited files). `decodeKey` and `parseAllowList` may only fail with an `Error` that names
 * what was being read (and, for allow-lists, the line); what decodes re-encodes to the same key.
 */
export function keysTarget(): FuzzTarget {
  const decoder = new TextDecoder();
  return {
    name: "secure-keys",
    summary:
      "decodeKey / parseAllowList on any text: only their Error, naming the line; keys round-trip",
    maxLength: 4096,
    timeLimitMs: 100,
    budget: (n) => ({ bytes: 4 * n + 4096, elements: n + 64 }),
    text: true,
    seeds: () => [
      text(`${encodeKey(serverKeys.publicKey)}\n`),
      text(
        `# build machines\n${encodeKey(clientKeys.publicKey)} ci-runner-1\n\n${encodeKey(serverKeys.publicKey)}\n`,
      ),
    ],
    run(input) {
      const t = decoder.decode(input);
      try {
        const key = decodeKey(t, "fuzz key");
        check(encodeKey(key) === t.trim(), "a decoded key does not re-encode");
      } catch (e) {
        check(e instanceof Error && e.message.startsWith("fuzz key: "), `decodeKey: ${String(e)}`);
      }
      try {
        const list = parseAllowList(t, "fuzz.allow");
        check(list.size <= t.split("\n").length, "more keys than lines");
      } catch (e) {
        check(
          e instanceof Error && /^fuzz\.allow:\d+: /.test(e.message),
          `parseAllowList: ${String(e)}`,
        );
      }
    },
  };
}
