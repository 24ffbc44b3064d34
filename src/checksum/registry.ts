/** Every checksum of `src/checksum/`, weakest first: what the study and the tests iterate over. */

import { SUM8, SUM16, SUM32 } from "./additive.js";
import { ADLER32 } from "./adler32.js";
import { CRC32, CRC32C } from "./crc32.js";
import { FLETCHER16, FLETCHER32 } from "./fletcher.js";
import { INTERNET } from "./internet.js";
import type { ChecksumAlgorithm, ChecksumName } from "./types.js";

/** All algorithms, in the order of the study's tables. */
export const CHECKSUMS: readonly ChecksumAlgorithm[] = [
  SUM8,
  SUM16,
  SUM32,
  INTERNET,
  FLETCHER16,
  FLETCHER32,
  ADLER32,
  CRC32,
  CRC32C,
];

/** The algorithm called `name`, or undefined. */
export function checksumByName(name: string): ChecksumAlgorithm | undefined {
  return CHECKSUMS.find((a) => a.name === (name as ChecksumName));
}
