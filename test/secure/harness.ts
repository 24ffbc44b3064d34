/**
 * Test helpers for the secure layer: a seeded PRNG (so every key and index replays), key pairs,
 * and a client/server pair wired through plain function calls.
 */
import type { Random } from "../../src/io/random.js";
import type { AdmissionLimits } from "../../src/secure/admission.js";
import { SecureInitiator } from "../../src/secure/initiator.js";
import type { SecureLimits } from "../../src/secure/limits.js";
import { suite25519ChaChaPolyBlake2s } from "../../src/secure/node-crypto.js";
import { type ResponderOptions, SecureResponder } from "../../src/secure/responder.js";
import type { KeyPair, NoiseSuite } from "../../src/secure/suite.js";

/** A small seeded PRNG (mulberry32) behind the {@link Random} interface. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const nextU32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = nextU32() & 0xff;
      return out;
    },
  };
}

export const suite: NoiseSuite = suite25519ChaChaPolyBlake2s;

export function keyPair(random: Random): KeyPair {
  return suite.dh.generateKeyPair(random);
}

/** Wall-clock time used for initiation timestamps in tests (fixed, then advanced by the tests). */
export const WALL_MS = 1_750_000_000_000;

export interface PairOptions {
  readonly seed?: number;
  readonly limits?: Partial<SecureLimits>;
  readonly admission?: Partial<AdmissionLimits>;
  readonly authorize?: ResponderOptions["authorize"];
  readonly responsePayload?: Uint8Array;
  readonly serverKeys?: KeyPair;
  readonly pinnedServerKey?: Uint8Array;
  readonly suite?: NoiseSuite;
}

/** A client and a server that know each other, not yet connected. */
export function makePair(options: PairOptions = {}) {
  const random = seededRandom(options.seed ?? 1);
  const s = options.suite ?? suite;
  const serverKeys = options.serverKeys ?? s.dh.generateKeyPair(random);
  const clientKeys = s.dh.generateKeyPair(random);
  const server = new SecureResponder({
    suite: s,
    staticKeyPair: serverKeys,
    random,
    nowMs: 0,
    ...(options.authorize === undefined ? {} : { authorize: options.authorize }),
    ...(options.responsePayload === undefined ? {} : { responsePayload: options.responsePayload }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.admission === undefined ? {} : { admission: options.admission }),
  });
  const client = new SecureInitiator({
    suite: s,
    staticKeyPair: clientKeys,
    serverPublicKey: options.pinnedServerKey ?? serverKeys.publicKey,
    random,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return { random, serverKeys, clientKeys, server, client };
}

export const CLIENT_ADDRESS = "IPv4/127.0.0.1/40000";

/** Runs a handshake at `nowMs`; returns the initiation and response datagrams. */
export function connect(
  client: SecureInitiator,
  server: SecureResponder,
  nowMs = 0,
  address = CLIENT_ADDRESS,
): { initiation: Uint8Array; response: Uint8Array } {
  const initiation = client.initiate(nowMs, WALL_MS + nowMs);
  const r = server.receive(initiation, address, nowMs);
  if (r.kind !== "reply") throw new Error(`server did not answer: ${JSON.stringify(r)}`);
  const c = client.receive(r.datagram, nowMs);
  if (c.kind !== "established") throw new Error(`client not established: ${JSON.stringify(c)}`);
  return { initiation, response: r.datagram };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const untext = (b: Uint8Array): string => new TextDecoder().decode(b);
