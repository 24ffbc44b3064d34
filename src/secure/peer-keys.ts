/**
 * The key sets one side holds for one peer (WireGuard paper §5.4.5, §6.3): `current` for sending,
 * `previous` to receive packets still in flight after a rekey, and (on the responder) `next`: keys
 * of a completed handshake that the initiator has not yet used, which become `current` when its
 * first data packet under them authenticates ("key confirmation").
 */
import { TransportKeys, type TransportKeysOptions } from "./transport-keys.js";

/** Who is on the other end of an authenticated session: what the transport hands to handlers. */
export interface SecurePeer {
  /** The peer's static public key (raw 32 bytes). */
  readonly publicKey: Uint8Array;
  /** The same key in base64 (`key-text.ts`): a stable name for logs, maps and allow-lists. */
  readonly id: string;
}

/** No key sets (shared: {@link PeerKeys.confirm} returns it for almost every packet). */
const NONE: readonly TransportKeys[] = Object.freeze([]);

/** The key sets held for one peer, and where it was last seen. */
export class PeerKeys {
  readonly identity: SecurePeer;
  /** Where the peer last sent an authenticated packet from (replies go there). */
  address: string;
  /** The newest initiation timestamp accepted from this peer (responder only). */
  lastTimestamp: Uint8Array | null = null;
  current: TransportKeys | null = null;
  previous: TransportKeys | null = null;
  next: TransportKeys | null = null;

  constructor(identity: SecurePeer, address: string) {
    this.identity = identity;
    this.address = address;
  }

  /** Responder: holds a new key set as `next`; returns the unconfirmed set it replaces, if any. */
  installNext(options: TransportKeysOptions): TransportKeys | null {
    const replaced = this.next;
    this.next = new TransportKeys(options);
    return replaced;
  }

  /** Initiator: a new key set becomes `current` at once; returns the set that falls out. */
  installCurrent(options: TransportKeysOptions): TransportKeys | null {
    const gone = this.previous;
    this.previous = this.current;
    this.current = new TransportKeys(options);
    return gone;
  }

  /** The key set named by our `index`, if we hold it. */
  keysFor(index: number): TransportKeys | null {
    // Checked one by one (no array per packet: this runs for every data packet received).
    if (this.current !== null && this.current.localIndex === index) return this.current;
    if (this.next !== null && this.next.localIndex === index) return this.next;
    if (this.previous !== null && this.previous.localIndex === index) return this.previous;
    return null;
  }

  /**
   * Called after a packet authenticated under `keys`: if they were `next`, they become `current`.
   * Returns the key sets that fell out.
   */
  confirm(keys: TransportKeys): readonly TransportKeys[] {
    if (keys !== this.next) return NONE;
    const gone = this.previous;
    this.previous = this.current;
    this.current = keys;
    this.next = null;
    return gone === null ? [] : [gone];
  }

  /** Drops key sets past `rejectAfterTimeMs`; returns them. */
  dropExpired(nowMs: number): TransportKeys[] {
    const gone: TransportKeys[] = [];
    if (this.current?.expired(nowMs)) {
      gone.push(this.current);
      this.current = null;
    }
    if (this.previous?.expired(nowMs)) {
      gone.push(this.previous);
      this.previous = null;
    }
    if (this.next?.expired(nowMs)) {
      gone.push(this.next);
      this.next = null;
    }
    return gone;
  }

  /** Every key set held. */
  all(): TransportKeys[] {
    return [this.current, this.previous, this.next].filter((k): k is TransportKeys => k !== null);
  }
}
