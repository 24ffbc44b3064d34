/** Constants both ends of the secure transport must agree on. */

/**
 * The Noise prologue (Noise §6): mixed into every handshake hash, so a Lupine handshake can never
 * be mistaken for another Noise-based protocol's (WireGuard mixes its identifier the same way).
 */
export const PROLOGUE = new TextEncoder().encode("lupine-secure/1");

/** The first byte of the (encrypted, authenticated) handshake response payload. */
export const ResponseStatus = {
  /** Keys established; the rest of the payload is the server's application data. */
  Accepted: 0,
  /** The server holds the key the client pinned, but the client's key is not on its allow-list. */
  NotAuthorized: 1,
} as const;
/** One of {@link ResponseStatus}' values. */
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus];

/**
 * The most application bytes a handshake response may carry: the response (61 + n bytes) must
 * stay within 3× the 148-byte initiation it answers (RFC 9000 §8 amplification limit).
 */
export const MAX_RESPONSE_PAYLOAD = 256;
