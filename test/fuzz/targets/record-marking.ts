/**
 * `record-marking`: the TCP record-marking decoder (RFC 5531 §11) on any byte stream, fed in
 * random chunkings. Byte 0 seeds the chunking, byte 1 picks the record limit, the rest is the
 * stream. Checks: the records and the final error do not depend on how the stream was chunked
 * (one push is the reference); no record exceeds the limit; the bytes held never exceed the bytes
 * received; each record, framed again with `frameRecord` in random fragment sizes, decodes back
 * to itself. Seeds: TCP streams recorded between the C peers and Lupine (`capture.ts`),
 * multi-fragment records included.
 */

import {
  frameRecord,
  RecordDecoder,
  type RecordError,
} from "../../../src/oncrpc/record-marking.js";
import { seededRandom } from "../../helpers/prng.js";
import { readCorpus } from "../engine/corpus.js";
import { check, type FuzzTarget, proportionalBudget } from "../engine/target.js";

const LIMITS = [0, 1, 16, 100, 4096, 64 << 20];

interface Decoded {
  readonly records: Uint8Array[];
  readonly error: RecordError | null;
}

function decodeIn(stream: Uint8Array, maxRecordSize: number, sizes: () => number): Decoded {
  const decoder = new RecordDecoder({ maxRecordSize });
  const records: Uint8Array[] = [];
  let at = 0;
  let error: RecordError | null = null;
  while (at < stream.length && error === null) {
    const n = Math.min(sizes(), stream.length - at);
    error = decoder.push(stream.subarray(at, at + n), (r) => records.push(Uint8Array.from(r)));
    at += n;
    check(decoder.bufferedBytes <= at, `holds ${decoder.bufferedBytes} bytes after ${at} received`);
  }
  return { records, error };
}

function same(a: Decoded, b: Decoded): boolean {
  if (a.records.length !== b.records.length) return false;
  for (let i = 0; i < a.records.length; i++) {
    if (Buffer.compare(a.records[i]!, b.records[i]!) !== 0) return false;
  }
  return JSON.stringify(a.error) === JSON.stringify(b.error);
}

/** The record-marking target; see the module comment. */
export function recordMarkingTarget(): FuzzTarget {
  return {
    name: "record-marking",
    summary:
      "RecordDecoder in random chunkings: chunking-independent, bounded, frameRecord inverse",
    maxLength: 16384,
    timeLimitMs: 100,
    budget: proportionalBudget(2, 4096),
    seeds: () => readCorpus("record-marking"),
    run(input) {
      if (input.length < 2) return;
      const random = seededRandom(input[0]!);
      const maxRecordSize = LIMITS[input[1]! % LIMITS.length]!;
      const stream = input.subarray(2);
      const whole = decodeIn(stream, maxRecordSize, () => stream.length || 1);
      const step = [1, 3, 4, 7, 64, 1000][random.nextU32() % 6]!;
      const chunked = decodeIn(stream, maxRecordSize, () => 1 + (random.nextU32() % step));
      check(same(whole, chunked), "records depend on the chunking");
      for (const record of whole.records) {
        check(record.length <= maxRecordSize, "a record exceeds the limit");
        const fragments = frameRecord(record, 1 + (random.nextU32() % 64));
        const again = decodeIn(Buffer.concat(fragments), maxRecordSize, () => 5);
        check(
          again.error === null &&
            again.records.length === 1 &&
            Buffer.compare(again.records[0]!, record) === 0,
          "frameRecord → decode is not the identity",
        );
      }
    },
  };
}
