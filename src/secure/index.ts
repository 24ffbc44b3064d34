/**
 * `lupine/secure`: the security core of Lupine's native transport. A Noise IK handshake
 * (`Noise_IK_25519_ChaChaPoly_BLAKE2s`, as WireGuard), per-datagram ChaCha20-Poly1305 with an
 * explicit counter and an RFC 6479 replay window, key rotation, stateless cookies and a 3×
 * amplification limit, all as sans-I/O state machines; keys and allow-lists in files.
 * See docs/security.md.
 */
export { endpointKey } from "./address.js";
export { type AdmissionLimits, DEFAULT_ADMISSION_LIMITS } from "./admission.js";
export { type AllowList, createAllowList, parseAllowList } from "./allow-list.js";
export { CipherState } from "./cipher-state.js";
export { type HandshakeOptions, HandshakeState, type SplitResult } from "./handshake-state.js";
export { type InitiatorOptions, type InitiatorResult, SecureInitiator } from "./initiator.js";
export {
  generateKeyFile,
  KeyFileError,
  readAllowListFile,
  readPrivateKeyFile,
  readPublicKeyFile,
} from "./key-file.js";
export { decodeKey, encodeKey } from "./key-text.js";
export { DEFAULT_LIMITS, resolveLimits, type SecureLimits } from "./limits.js";
export {
  blake2s,
  chaChaPoly,
  sha256,
  suite25519ChaChaPolyBlake2s,
  suite25519ChaChaPolySha256,
  x25519,
} from "./node-crypto.js";
export { NoiseError, NoiseFailure } from "./noise-error.js";
export { DATA_OVERHEAD, INITIATION_LENGTH, PacketType, packetType } from "./packet.js";
export { type HandshakePattern, IK, XX } from "./patterns.js";
export type { SecurePeer } from "./peer-keys.js";
export { type ReplayVerdict, ReplayWindow } from "./replay-window.js";
export { type ResponderOptions, type ResponderResult, SecureResponder } from "./responder.js";
export { DROP_REASONS, type DropReason, type SecureStats, totalDropped } from "./stats.js";
export type { CipherFunctions, DhFunctions, HashFunctions, KeyPair, NoiseSuite } from "./suite.js";
export { MAX_RESPONSE_PAYLOAD, PROLOGUE, ResponseStatus } from "./wire-constants.js";
