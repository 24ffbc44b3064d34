/**
 * Noise `HandshakeState` (Noise Protocol Framework rev. 34, §5.3): runs one handshake pattern
 * (`patterns.ts`) token by token over a {@link SymmetricState}, and after the last message
 * returns the two transport {@link CipherState}s of `Split()`.
 *
 * Contract: the initiator calls `writeMessage`, the responder `readMessage`, then they swap, as
 * the pattern says; a call out of turn throws `NoiseError` (`bad-state`). A failed read
 * (`decrypt-failed`, `bad-length`, `bad-public-key`) aborts the handshake: further calls throw.
 * To try a message that may be forged without losing the handshake, read it on a {@link clone}.
 */
import type { Random } from "../io/random.js";
import { concatBytes } from "./bytes.js";
import type { CipherState } from "./cipher-state.js";
import { NoiseError, NoiseFailure } from "./noise-error.js";
import type { HandshakePattern, Token } from "./patterns.js";
import { DhError, type KeyPair, type NoiseSuite, suiteName } from "./suite.js";
import { SymmetricState } from "./symmetric-state.js";

/** Noise messages are at most 65535 bytes (§3). */
export const MAX_MESSAGE_LENGTH = 65535;
const TAG_LEN = 16;

/** The arguments of Noise's `Initialize()` (§5.3), plus the source of ephemeral keys. */
export interface HandshakeOptions {
  readonly suite: NoiseSuite;
  readonly pattern: HandshakePattern;
  readonly initiator: boolean;
  /** Bytes both sides must agree on, mixed into `h` (§6); default empty. */
  readonly prologue?: Uint8Array;
  /** Our static key pair, if the pattern sends or uses one. */
  readonly staticKeyPair?: KeyPair;
  /** The peer's static public key, if known in advance (IK's `<- s`). */
  readonly remoteStaticPublicKey?: Uint8Array;
  /** Our ephemeral key pair: only for test vectors; otherwise drawn from `random` (§5.3). */
  readonly ephemeralKeyPair?: KeyPair;
  /** Where fresh ephemeral keys come from, when `ephemeralKeyPair` is not given. */
  readonly random?: Random;
}

/** What a completed handshake yields: send and receive CipherStates (§5.2 `Split()`). */
export interface SplitResult {
  readonly send: CipherState;
  readonly receive: CipherState;
}

/** A Noise HandshakeState (§5.3) running one pattern; see the module comment for the contract. */
export class HandshakeState {
  private symmetric: SymmetricState;
  private readonly suite: NoiseSuite;
  private readonly pattern: HandshakePattern;
  private readonly initiator: boolean;
  private readonly s: KeyPair | null;
  private e: KeyPair | null;
  private rs: Uint8Array | null;
  private re: Uint8Array | null = null;
  private readonly random: Random | null;
  private messageIndex = 0;
  private aborted = false;

  /** `Initialize(...)` (§5.3): protocol name, prologue, then the pre-message public keys. */
  constructor(options: HandshakeOptions) {
    this.suite = options.suite;
    this.pattern = options.pattern;
    this.initiator = options.initiator;
    this.s = options.staticKeyPair ?? null;
    this.e = options.ephemeralKeyPair ?? null;
    this.rs = options.remoteStaticPublicKey ?? null;
    this.random = options.random ?? null;
    this.symmetric = new SymmetricState(
      this.suite,
      `Noise_${this.pattern.name}_${suiteName(this.suite)}`,
    );
    this.symmetric.mixHash(options.prologue ?? new Uint8Array(0));
    const premessages: [readonly ("e" | "s")[], boolean][] = [
      [this.pattern.initiatorPreMessage, true],
      [this.pattern.responderPreMessage, false],
    ];
    for (const [tokens, ofInitiator] of premessages) {
      for (const token of tokens) this.symmetric.mixHash(this.preMessageKey(token, ofInitiator));
    }
  }

  /** A copy that continues independently (used to try possibly forged messages). */
  clone(): HandshakeState {
    const copy = Object.create(HandshakeState.prototype) as HandshakeState;
    Object.assign(copy, this);
    copy.symmetric = this.symmetric.clone();
    return copy;
  }

  /** Whether every message of the pattern has been written or read. */
  get complete(): boolean {
    return this.messageIndex >= this.pattern.messages.length;
  }

  /** Whether it is our turn to write. */
  get isMyTurn(): boolean {
    return !this.complete && (this.messageIndex % 2 === 0) === this.initiator;
  }

  /** The peer's static public key, once known (pre-message or received). */
  get remoteStaticPublicKey(): Uint8Array | null {
    return this.rs;
  }

  /** `GetHandshakeHash()` (§11.2); final once the handshake is complete. */
  handshakeHash(): Uint8Array {
    return this.symmetric.handshakeHash();
  }

  /** `WriteMessage(payload)`: the message bytes, and the transport keys after the last message. */
  writeMessage(payload: Uint8Array): { message: Uint8Array; split: SplitResult | null } {
    const tokens = this.nextTokens(true);
    const parts: Uint8Array[] = [];
    try {
      for (const token of tokens) {
        if (token === "e") {
          if (this.e === null) {
            if (this.random === null)
              throw new Error("HandshakeState needs a Random for ephemeral keys");
            this.e = this.suite.dh.generateKeyPair(this.random);
          }
          parts.push(this.e.publicKey);
          this.symmetric.mixHash(this.e.publicKey);
        } else if (token === "s") {
          parts.push(this.symmetric.encryptAndHash(this.need(this.s, "s").publicKey));
        } else {
          this.mixDh(token);
        }
      }
      parts.push(this.symmetric.encryptAndHash(payload));
    } catch (e) {
      this.aborted = true;
      throw e;
    }
    const message = concatBytes(...parts);
    if (message.length > MAX_MESSAGE_LENGTH) {
      this.aborted = true;
      throw new NoiseError(NoiseFailure.BadLength, `message of ${message.length} bytes`);
    }
    this.messageIndex++;
    return { message, split: this.splitIfDone() };
  }

  /** `ReadMessage(message)`: the payload, and the transport keys after the last message. */
  readMessage(message: Uint8Array): { payload: Uint8Array; split: SplitResult | null } {
    const tokens = this.nextTokens(false);
    let payload: Uint8Array;
    try {
      if (message.length > MAX_MESSAGE_LENGTH) {
        throw new NoiseError(NoiseFailure.BadLength, `message of ${message.length} bytes`);
      }
      let at = 0;
      const take = (n: number): Uint8Array => {
        if (at + n > message.length) {
          throw new NoiseError(
            NoiseFailure.BadLength,
            `message too short: ${message.length} bytes`,
          );
        }
        const out = message.subarray(at, at + n);
        at += n;
        return out;
      };
      const dhLen = this.suite.dh.dhLen;
      for (const token of tokens) {
        if (token === "e") {
          this.re = Uint8Array.from(take(dhLen));
          this.symmetric.mixHash(this.re);
        } else if (token === "s") {
          const sealed = take(this.symmetric.hasKey() ? dhLen + TAG_LEN : dhLen);
          this.rs = Uint8Array.from(this.symmetric.decryptAndHash(sealed));
        } else {
          this.mixDh(token);
        }
      }
      if (this.symmetric.hasKey() && message.length - at < TAG_LEN) {
        throw new NoiseError(NoiseFailure.BadLength, `message too short: ${message.length} bytes`);
      }
      payload = this.symmetric.decryptAndHash(message.subarray(at));
    } catch (e) {
      this.aborted = true;
      throw e;
    }
    this.messageIndex++;
    return { payload, split: this.splitIfDone() };
  }

  private nextTokens(writing: boolean): readonly Token[] {
    if (this.aborted) throw new NoiseError(NoiseFailure.BadState, "handshake was aborted");
    const tokens = this.pattern.messages[this.messageIndex];
    if (tokens === undefined) throw new NoiseError(NoiseFailure.BadState, "handshake is complete");
    if (this.isMyTurn !== writing) {
      throw new NoiseError(
        NoiseFailure.BadState,
        writing ? "not our turn to write" : "not our turn to read",
      );
    }
    return tokens;
  }

  private mixDh(token: "ee" | "es" | "se" | "ss"): void {
    // The first letter names the initiator's key, the second the responder's (§7.1).
    const [initiatorKey, responderKey] = [token[0] as "e" | "s", token[1] as "e" | "s"];
    const localToken = this.initiator ? initiatorKey : responderKey;
    const remoteToken = this.initiator ? responderKey : initiatorKey;
    const local = this.need(localToken === "e" ? this.e : this.s, localToken);
    const remote = this.need(remoteToken === "e" ? this.re : this.rs, `r${remoteToken}`);
    let shared: Uint8Array;
    try {
      shared = this.suite.dh.dh(local, remote);
    } catch (e) {
      if (e instanceof DhError)
        throw new NoiseError(NoiseFailure.BadPublicKey, e.message, { cause: e });
      throw e;
    }
    this.symmetric.mixKey(shared);
  }

  private preMessageKey(token: "e" | "s", ofInitiator: boolean): Uint8Array {
    const mine = ofInitiator === this.initiator;
    if (token === "s") return mine ? this.need(this.s, "s").publicKey : this.need(this.rs, "rs");
    return mine ? this.need(this.e, "e").publicKey : this.need(this.re, "re");
  }

  private need<T>(value: T | null, name: string): T {
    if (value === null) throw new NoiseError(NoiseFailure.BadState, `pattern needs key ${name}`);
    return value;
  }

  private splitIfDone(): SplitResult | null {
    if (!this.complete) return null;
    const [c1, c2] = this.symmetric.split();
    return this.initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 };
  }
}
