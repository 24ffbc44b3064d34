/**
 * What a server keeps per client session (docs/protocol.md "Server state"): the floor below which
 * every call is finished and forgotten, the calls at or above it (receiving, executing, done with
 * the reply cached until acknowledged, acknowledged), the path to the client, and the datagram
 * builder that packs everything going to it.
 *
 * At-most-once rests on two rules: a call at or above the floor is executed only when the session
 * has no entry for its seq (the entry stays until the floor passes it), and a call below the floor
 * is never executed. Memory per session is bounded by `maxCallsPerSession` entries.
 */
import type { DatagramBuilder } from "./datagram-builder.js";
import type { Path } from "./path.js";
import type { Reassembler } from "./reassembler.js";
import type { SendWindow } from "./send-window.js";
import { SeqTable } from "./seq-table.js";

/** Server call states. */
export const ServerState = {
  /** Request fragments arriving. */
  Receiving: 0,
  /** Handed to the application; no reply yet. */
  Executing: 1,
  /** Reply cached (whole, or in a send window) until the client acknowledges it. */
  Done: 2,
  /** The client has the reply or gave up: only the marker remains (drops duplicates). */
  Acked: 3,
} as const;

export class ServerCall {
  readonly session: ServerSession;
  readonly seq: number;
  state: number = ServerState.Receiving;
  /** When the whole request was received (the reply's `heldUs` counts from here). */
  receivedMs = Number.NaN;
  request: Reassembler | null = null;
  /** Whole reply payload, kept until acknowledged. */
  reply: Uint8Array | null = null;
  /** Fragmented reply. */
  window: SendWindow | null = null;
  /** Bytes this call counts against the endpoint's reply-cache limit. */
  cachedBytes = 0;
  /** The client no longer wants the reply (acknowledged or abandoned while executing). */
  unwanted = false;
  workingMs = Number.POSITIVE_INFINITY;
  fragmentAckMs = Number.POSITIVE_INFINITY;
  actionMs = Number.POSITIVE_INFINITY;
  /** Position in the endpoint's timer heap (-1: not in it); maintained by the heap. */
  heapIndex = -1;
  lastHeardMs = 0;
  /** The adapter's per-call state (e.g. the handler's AbortController), if any. */
  token: unknown = null;
  /**
   * Handed to the application while its request still arrives (`onStreamStart`): executing,
   * though the state stays Receiving until the last fragment.
   */
  streaming = false;
  /** `onStreamStart` was asked about this call. */
  streamAsked = false;
  /** A streaming call's reply, given before its request was whole: sent once it is. */
  pendingReply: readonly Uint8Array[] | null = null;
  /** The adapter's reader of a streaming call's request, if any. */
  body: unknown = null;

  constructor(session: ServerSession, seq: number) {
    this.session = session;
    this.seq = seq;
  }
}

export class ServerSession {
  readonly sessionHi: number;
  readonly sessionLo: number;
  readonly path: Path;
  readonly builder: DatagramBuilder;
  /** Where to send: the source of the session's latest datagram. */
  peer: unknown;
  /** Every seq below this is finished and forgotten. */
  floor = 1;
  /** Starts small: a server may hold 100,000 sessions, most with a call or two at a time. */
  readonly calls = new SeqTable<ServerCall>(8);
  /** Calls whose reply fragments wait to be sent. */
  bulk: ServerCall[] = [];
  lastHeardMs: number;
  executing = 0;
  closed = false;
  /** Queued for the endpoint's next flush / waiting on the pacer (set by the endpoint). */
  dirty = false;
  paced = false;

  constructor(options: {
    sessionHi: number;
    sessionLo: number;
    path: Path;
    builder: DatagramBuilder;
    peer: unknown;
    nowMs: number;
  }) {
    this.sessionHi = options.sessionHi;
    this.sessionLo = options.sessionLo;
    this.path = options.path;
    this.builder = options.builder;
    this.peer = options.peer;
    this.lastHeardMs = options.nowMs;
  }
}

/** The key of a session in the table: 53 bits of its 64-bit id (the rest is checked on lookup). */
export function sessionKey(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 0x1_0000_0000 + lo;
}
