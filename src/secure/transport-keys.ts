/**
 * One set of transport keys from a completed handshake (WireGuard paper §5.4.5-5.4.6): a send key
 * with its counter and a receive key with its replay window, plus the session indices that name
 * them on the wire. The counter is explicit in every data packet and is the AEAD nonce (Noise
 * §11.4, "out-of-order transport messages"), so packets may be lost or reordered.
 *
 * Contract: `open()` checks the replay window before decrypting, decrypts (verifying the tag, with
 * the 16-byte header as associated data), and only then marks the counter as received; a packet
 * that fails any check is dropped with a reason and never yields a byte of plaintext.
 */
import type { SecureLimits } from "./limits.js";
import { DATA_HEADER_LENGTH, DATA_OVERHEAD, type DataHeader, writeDataHeader } from "./packet.js";
import { ReplayWindow } from "./replay-window.js";
import type { CipherFunctions } from "./suite.js";

/** Why a data packet was dropped. */
export const DataDrop = {
  /** Counter already received. */
  Replayed: "replayed",
  /** Counter too far behind the window. */
  TooOld: "too-old",
  /** Tag did not verify: tampered, truncated, forged, or keys we do not have. */
  AuthFailed: "auth-failed",
  /** The keys are past `rejectAfterTimeMs`, or the counter past `rejectAfterPackets`. */
  Expired: "expired",
} as const;
/** One of {@link DataDrop}'s values. */
export type DataDrop = (typeof DataDrop)[keyof typeof DataDrop];

/** The outcome of opening a data packet: its payload, or why it was dropped. */
export type OpenResult =
  | { readonly kind: "ok"; readonly payload: Uint8Array; readonly counter: number }
  | { readonly kind: "dropped"; readonly reason: DataDrop };

/** The keys and indices of one completed handshake. */
export interface TransportKeysOptions {
  readonly cipher: CipherFunctions;
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  /** Our index: peers put it in the packets they send us. */
  readonly localIndex: number;
  /** The peer's index: we put it in the packets we send. */
  readonly remoteIndex: number;
  readonly createdAtMs: number;
  /** Whether we initiated the handshake (only the initiator rekeys on time and count). */
  readonly isInitiator: boolean;
  readonly limits: SecureLimits;
}

/** One handshake's send and receive keys, counter and replay window (see the module comment). */
export class TransportKeys {
  readonly localIndex: number;
  readonly remoteIndex: number;
  readonly createdAtMs: number;
  readonly isInitiator: boolean;
  private readonly cipher: CipherFunctions;
  private readonly sendKey: Uint8Array;
  private readonly receiveKey: Uint8Array;
  private readonly limits: SecureLimits;
  private readonly window: ReplayWindow;
  private nextCounter = 0;

  constructor(options: TransportKeysOptions) {
    this.cipher = options.cipher;
    this.sendKey = Uint8Array.from(options.sendKey);
    this.receiveKey = Uint8Array.from(options.receiveKey);
    this.localIndex = options.localIndex;
    this.remoteIndex = options.remoteIndex;
    this.createdAtMs = options.createdAtMs;
    this.isInitiator = options.isInitiator;
    this.limits = options.limits;
    this.window = new ReplayWindow(options.limits.replayWindowPackets);
  }

  /** Packets sent with these keys. */
  get sent(): number {
    return this.nextCounter;
  }

  /** Whether these keys are past their life at `nowMs` (time or count): they must not be used. */
  expired(nowMs: number): boolean {
    return nowMs - this.createdAtMs >= this.limits.rejectAfterTimeMs;
  }

  /** Whether the initiator should start a new handshake now (WireGuard §6.2 "Rekey-After"). */
  wantsRekey(nowMs: number): boolean {
    return (
      this.isInitiator &&
      (nowMs - this.createdAtMs >= this.limits.rekeyAfterTimeMs ||
        this.nextCounter >= this.limits.rekeyAfterPackets)
    );
  }

  /** Whether {@link seal} would succeed at `nowMs`. */
  canSend(nowMs: number): boolean {
    return !this.expired(nowMs) && this.nextCounter < this.limits.rejectAfterPackets;
  }

  /**
   * The data packet carrying `payload` (one array, or the parts of a gathered datagram, sealed in
   * order as if joined), or `null` when these keys may no longer send. The parts are encrypted
   * straight into the packet: no joined copy of the plaintext is made.
   */
  seal(payload: Uint8Array | readonly Uint8Array[], nowMs: number): Uint8Array | null {
    if (!this.canSend(nowMs)) return null;
    const parts = payload instanceof Uint8Array ? [payload] : payload;
    let length = 0;
    for (const p of parts) length += p.length;
    const counter = this.nextCounter++;
    // Uninitialized memory: the header, ciphertext and tag below overwrite every byte of it.
    const out = this.cipher.allocate(DATA_OVERHEAD + length);
    const header = out.subarray(0, DATA_HEADER_LENGTH);
    writeDataHeader(header, this.remoteIndex, counter);
    this.cipher.encryptInto(this.sendKey, counter, header, parts, out, DATA_HEADER_LENGTH);
    return out;
  }

  /** Authenticates and decrypts a data packet addressed to {@link localIndex}. */
  open(datagram: Uint8Array, header: DataHeader, nowMs: number): OpenResult {
    if (
      this.expired(nowMs) ||
      header.counter < 0 ||
      header.counter >= this.limits.rejectAfterPackets
    ) {
      return { kind: "dropped", reason: DataDrop.Expired };
    }
    const verdict = this.window.check(header.counter);
    if (verdict === "replayed") return { kind: "dropped", reason: DataDrop.Replayed };
    if (verdict === "too-old") return { kind: "dropped", reason: DataDrop.TooOld };
    const payload = this.cipher.decrypt(
      this.receiveKey,
      header.counter,
      datagram.subarray(0, DATA_HEADER_LENGTH),
      datagram.subarray(DATA_HEADER_LENGTH),
    );
    if (payload === null) return { kind: "dropped", reason: DataDrop.AuthFailed };
    // Authentic: only now may the counter move the window.
    this.window.accept(header.counter);
    return { kind: "ok", payload, counter: header.counter };
  }
}
