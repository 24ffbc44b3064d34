/**
 * Checksums over bytes, pure (no I/O, no `node:`), so that the reliable layer can use them:
 * additive sums, the Internet checksum (RFC 1071), Fletcher-16/32 (RFC 1146), Adler-32 (RFC 1950),
 * CRC-32 (IEEE) and CRC-32C (Castagnoli, RFC 3720). `docs/checksums.md` compares them.
 */

export {
  createSum8,
  createSum16,
  createSum32,
  SUM8,
  SUM16,
  SUM32,
  sum8,
  sum16,
  sum32,
} from "./additive.js";
export { ADLER32, adler32, createAdler32 } from "./adler32.js";
export {
  buildCrcTables,
  CRC32,
  CRC32C,
  crc32,
  crc32c,
  createCrc32,
  createCrc32c,
} from "./crc32.js";
export {
  createFletcher16,
  createFletcher32,
  FLETCHER16,
  FLETCHER32,
  fletcher16,
  fletcher32,
} from "./fletcher.js";
export { createInternetChecksum, INTERNET, internetChecksum } from "./internet.js";
export { CHECKSUMS, checksumByName } from "./registry.js";
export {
  type ChecksumAlgorithm,
  type Checksummer,
  type ChecksumName,
  readCheck,
  writeCheck,
} from "./types.js";
