/**
 * Reads a Lupine datagram (docs/protocol.md §1) the way a packet analyser would, for the demo's
 * trace: its frames by name, and for calls and replies of the calculator the procedure, the
 * arguments and the result.
 */
import { FrameCursor, FrameFlag, FrameType, HEADER_BYTES } from "../../src/reliable/packet.js";

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(FrameType).map(([k, v]) => [v, k]),
);

/** What one datagram carries, in a few words. */
export interface DatagramSummary {
  /** e.g. `Hello + Call #1 func2(2, 3)` or `Reply #1 = 5 + Welcome`. */
  readonly text: string;
  /** Call seqs in it (client datagrams). */
  readonly calls: readonly number[];
  /** Reply seqs in it (server datagrams). */
  readonly replies: readonly number[];
}

function callText(c: FrameCursor): { seq: number; text: string } {
  const seq = c.u32(0);
  if ((c.flags & FrameFlag.Fragment) !== 0) return { seq, text: `Call #${seq} (fragment)` };
  // seq, then prog, vers, proc, cred (flavor, length, body), verf (flavor, length, body), args.
  const proc = c.u32(12);
  let at = 16;
  for (let i = 0; i < 2; i++) at += 8 + ((c.u32(at + 4) + 3) & ~3);
  const args: number[] = [];
  for (; at + 4 <= c.length; at += 4) args.push(c.view.getInt32(c.body + at));
  const name = proc === 1 ? "func1" : proc === 2 ? "func2" : `procedure ${proc}`;
  return { seq, text: `Call #${seq} ${name}(${args.join(", ")})` };
}

function replyText(c: FrameCursor): string {
  const seq = c.u32(0);
  if ((c.flags & FrameFlag.Fragment) !== 0) return `Reply #${seq} (fragment)`;
  const status = c.u32(8);
  if (status !== 0) return `Reply #${seq} (status ${status})`;
  return c.length >= 16 ? `Reply #${seq} = ${c.view.getInt32(c.body + 12)}` : `Reply #${seq}`;
}

/** Summarises a datagram (header already known to be Lupine's). */
export function describeDatagram(d: Uint8Array): DatagramSummary {
  if (d.length < HEADER_BYTES) return { text: "(runt)", calls: [], replies: [] };
  const c = new FrameCursor();
  c.reset(d);
  const parts: string[] = [];
  const calls: number[] = [];
  const replies: number[] = [];
  while (c.next()) {
    if (c.type === FrameType.Call) {
      const t = callText(c);
      calls.push(t.seq);
      parts.push(t.text);
    } else if (c.type === FrameType.Reply) {
      replies.push(c.u32(0));
      parts.push(replyText(c));
    } else if (c.type === FrameType.Ack) parts.push(`Ack (all below #${c.u32(0)})`);
    else parts.push(NAMES[c.type] ?? `frame ${c.type}`);
  }
  return { text: parts.join(" + "), calls, replies };
}
