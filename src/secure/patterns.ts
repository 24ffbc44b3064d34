/**
 * The Noise handshake patterns Lupine implements (Noise Protocol Framework rev. 34, §7.5):
 *
 * ```
 * IK:                          XX:
 *   <- s                         -> e
 *   ...                          <- e, ee, s, es
 *   -> e, es, s, ss              -> s, se
 *   <- e, ee, se
 * ```
 *
 * IK is the transport's handshake: the client already knows (pins) the server's static key, so
 * one round trip authenticates both sides and the client's identity is encrypted (WireGuard uses
 * IK, with a PSK modifier). XX is here for a client that does not yet know the server's key
 * (a trust-on-first-use or key-discovery tool); the transport does not offer it, because a client
 * that cannot name the server's key cannot tell the server from an attacker.
 */

/** A token of a message pattern (§7.1). */
export type Token = "e" | "s" | "ee" | "es" | "se" | "ss";

/** A handshake pattern: pre-messages, then messages alternating initiator, responder, ... */
export interface HandshakePattern {
  readonly name: string;
  /** Public keys the responder knows about the initiator before the handshake. */
  readonly initiatorPreMessage: readonly ("e" | "s")[];
  /** Public keys the initiator knows about the responder before the handshake. */
  readonly responderPreMessage: readonly ("e" | "s")[];
  readonly messages: readonly (readonly Token[])[];
}

/** `IK` (§7.5). */
export const IK: HandshakePattern = {
  name: "IK",
  initiatorPreMessage: [],
  responderPreMessage: ["s"],
  messages: [
    ["e", "es", "s", "ss"],
    ["e", "ee", "se"],
  ],
};

/** `XX` (§7.5). */
export const XX: HandshakePattern = {
  name: "XX",
  initiatorPreMessage: [],
  responderPreMessage: [],
  messages: [["e"], ["e", "ee", "s", "es"], ["s", "se"]],
};
