import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  ADLER32,
  adler32,
  CHECKSUMS,
  type ChecksumAlgorithm,
  checksumByName,
  crc32,
  crc32c,
  fletcher16,
  fletcher32,
  internetChecksum,
  readCheck,
  sum8,
  sum16,
  sum32,
  writeCheck,
} from "./index.js";

// Deliberately naive references, straight from the specifications: one word or bit at a time,
// the modulo after every step. The fast implementations must agree with them.

/** Big-endian words of `width` bytes, zero-padded. */
function words(data: Uint8Array, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += width) {
    let w = 0;
    for (let k = 0; k < width; k++) w = w * 256 + (data[i + k] ?? 0);
    out.push(w);
  }
  return out;
}

function naiveSum(data: Uint8Array, width: 1 | 2 | 4): number {
  let s = 0;
  for (const w of words(data, width)) s = (s + w) % 2 ** (8 * width);
  return s;
}

/** RFC 1071 §4.1's algorithm: add 16-bit words, fold the carries, complement. */
function naiveInternet(data: Uint8Array): number {
  let sum = 0;
  for (const w of words(data, 2)) {
    sum += w;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

function naiveFletcher(data: Uint8Array, width: 1 | 2): number {
  const mod = 2 ** (8 * width) - 1;
  let a = 0;
  let b = 0;
  for (const w of words(data, width)) {
    a = (a + w) % mod;
    b = (b + a) % mod;
  }
  return b * 2 ** (8 * width) + a;
}

function naiveAdler(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

/** Bit-at-a-time reflected CRC-32 with init and final XOR 0xFFFFFFFF. */
function naiveCrc(data: Uint8Array, reflectedPolynomial: number): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ reflectedPolynomial : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => Uint8Array.from(b);
/** Swaps each byte pair (zero-padding an odd length): little-endian words read big-endian. */
const swapPairs = (b: Uint8Array) => {
  const out = new Uint8Array(b.length + (b.length & 1));
  b.forEach((x, i) => {
    out[i ^ 1] = x;
  });
  return out;
};

describe("published check values", () => {
  const cases: [string, number, number][] = [
    // The CRC catalogue's "check" values: the CRC of the ASCII string "123456789".
    ["CRC-32 of 123456789", crc32(ascii("123456789")), 0xcbf43926],
    ["CRC-32C of 123456789", crc32c(ascii("123456789")), 0xe3069283],
    // RFC 3720 §B.4 (iSCSI): 32 bytes of zeros, of ones, incrementing, decrementing.
    ["CRC-32C of 32 zero bytes", crc32c(new Uint8Array(32)), 0x8a9136aa],
    ["CRC-32C of 32 0xFF bytes", crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43],
    ["CRC-32C of 00..1F", crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ["CRC-32C of 1F..00", crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ["CRC-32 of empty", crc32(new Uint8Array(0)), 0],
    // Adler-32: the example of its Wikipedia article, and the catalogue string.
    ["Adler-32 of Wikipedia", adler32(ascii("Wikipedia")), 0x11e60398],
    ["Adler-32 of 123456789", adler32(ascii("123456789")), 0x091e01de],
    ["Adler-32 of empty (RFC 1950 §9: starts at 1)", adler32(new Uint8Array(0)), 1],
    // Fletcher's checksum, the vectors of its Wikipedia article.
    ["Fletcher-16 of abcde", fletcher16(ascii("abcde")), 0xc8f0],
    ["Fletcher-16 of abcdef", fletcher16(ascii("abcdef")), 0x2057],
    ["Fletcher-16 of abcdefgh", fletcher16(ascii("abcdefgh")), 0x0627],
    // Those Fletcher-32 vectors were computed over little-endian words; ours are big-endian.
    ["Fletcher-32 of abcde", fletcher32(swapPairs(ascii("abcde"))), 0xf04fc729],
    ["Fletcher-32 of abcdef", fletcher32(swapPairs(ascii("abcdef"))), 0x56502d2a],
    ["Fletcher-32 of abcdefgh", fletcher32(swapPairs(ascii("abcdefgh"))), 0xebe19591],
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
    [
      "Internet checksum, RFC 1071 §3",
      internetChecksum(bytes(0, 1, 0xf2, 3, 0xf4, 0xf5, 0xf6, 0xf7)),
      0x220d,
    ],
    ["Internet checksum of zeros", internetChecksum(new Uint8Array(6)), 0xffff],
    [
      "Internet checksum, sum ≡ 0 (0xFFFF + 0x0000)",
      internetChecksum(bytes(0xff, 0xff, 0, 0)),
      0x0000,
    ],
    ["sum8", sum8(bytes(0xff, 0x02)), 0x01],
    ["sum16, odd length zero-padded", sum16(bytes(0x12, 0x34, 0x56)), 0x6834],
    ["sum32 wraps", sum32(bytes(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2)), 1],
  ];
  for (const [name, got, expected] of cases) {
    test(name, () => assert.equal(got.toString(16), expected.toString(16)));
  }
});

describe("fast implementations agree with naive references", () => {
  const references: Record<string, (d: Uint8Array) => number> = {
    sum8: (d) => naiveSum(d, 1),
    sum16: (d) => naiveSum(d, 2),
    sum32: (d) => naiveSum(d, 4),
    internet: naiveInternet,
    fletcher16: (d) => naiveFletcher(d, 1),
    fletcher32: (d) => naiveFletcher(d, 2),
    adler32: naiveAdler,
    crc32: (d) => naiveCrc(d, 0xedb88320),
    crc32c: (d) => naiveCrc(d, 0x82f63b78),
  };
  for (const algorithm of CHECKSUMS) {
    const reference = references[algorithm.name]!;
    test(`${algorithm.name} on random data and offsets`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(3), (data, offset) => {
          // An unaligned view exercises the CRCs' word path from every alignment.
          const view = new Uint8Array(data.length + offset).subarray(offset);
          view.set(data);
          assert.equal(algorithm.compute(view), reference(data));
        }),
        { numRuns: 200 },
      );
    });
    test(`${algorithm.name} on extreme data`, () => {
      // All 0xFF exercises the deferred reductions at their bound; past the sums' block sizes.
      for (const n of [4095, 4096, 4097, 7601, 20_000]) {
        const ones = new Uint8Array(n).fill(0xff);
        assert.equal(algorithm.compute(ones), reference(ones), `0xFF × ${n}`);
      }
    });
  }
});

describe("incremental equals one-shot", () => {
  for (const algorithm of CHECKSUMS) {
    test(algorithm.name, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 600 }),
          fc.array(fc.nat(600), { maxLength: 6 }),
          (data, cuts) => {
            const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort(
              (a, b) => a - b,
            );
            const c = algorithm.create();
            let from = 0;
            for (const p of [...points, data.length]) {
              c.update(data.subarray(from, p));
              from = p;
            }
            assert.equal(c.digest(), algorithm.compute(data));
            // digest() does not end the stream.
            c.update(Uint8Array.of(7));
            assert.equal(c.digest(), algorithm.compute(Uint8Array.of(...data, 7)));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  test("one update of more than 1 MiB (the lane sums' chunk size) matches many small ones", () => {
    const data = Uint8Array.from({ length: (1 << 20) + 5 }, (_, i) => (i * 2654435761) >>> 24);
    for (const algorithm of CHECKSUMS) {
      const c = algorithm.create();
      for (let i = 0; i < data.length; i += 65_537) c.update(data.subarray(i, i + 65_537));
      assert.equal(c.digest(), algorithm.compute(data), algorithm.name);
    }
  });

  test("crc32, crc32c and adler32 continue from a previous value", () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const ab = Uint8Array.of(...a, ...b);
        assert.equal(crc32(b, crc32(a)), crc32(ab));
        assert.equal(crc32c(b, crc32c(a)), crc32c(ab));
        assert.equal(adler32(b, adler32(a)), adler32(ab));
      }),
    );
  });
});

describe("check field", () => {
  test("writeCheck / readCheck round-trip in each algorithm's byte order", () => {
    const cases: [ChecksumAlgorithm, number, number[]][] = [
      [checksumByName("crc32")!, 0xcbf43926, [0x26, 0x39, 0xf4, 0xcb]],
      [ADLER32, 0x11e60398, [0x11, 0xe6, 0x03, 0x98]],
      [checksumByName("internet")!, 0x220d, [0x22, 0x0d]],
      [checksumByName("sum8")!, 0xab, [0xab]],
    ];
    for (const [algorithm, value, expected] of cases) {
      const out = new Uint8Array(2 + expected.length);
      writeCheck(algorithm, value, out, 2);
      assert.deepEqual([...out.subarray(2)], expected, algorithm.name);
      assert.equal(readCheck(algorithm, out, 2), value, algorithm.name);
    }
  });

  test("every value is an unsigned integer of the algorithm's width", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        for (const a of CHECKSUMS) {
          const v = a.compute(data);
          assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** a.widthBits, `${a.name}: ${v}`);
        }
      }),
    );
  });

  test("checksumByName finds every algorithm and nothing else", () => {
    for (const a of CHECKSUMS) assert.equal(checksumByName(a.name), a);
    assert.equal(checksumByName("md5"), undefined);
  });
});
