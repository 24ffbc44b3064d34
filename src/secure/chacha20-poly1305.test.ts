import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "./bytes.js";
import { ChaChaKey, chachaBlock, chachaXor } from "./chacha20.js";
import { openInto, sealInPlace } from "./chacha20-poly1305.js";
import { chaChaPoly, chaChaPolyOpenssl, SMALL_PACKET_BYTES } from "./node-crypto.js";
import { poly1305 } from "./poly1305.js";

/** Hex as the RFC prints it (spaces, colons and line breaks ignored). */
const hex = (s: string) => fromHex(s.replace(/[\s:]/g, "").toLowerCase());
const ascii = (s: string) => new TextEncoder().encode(s);
const range = (from: number, count: number) =>
  Uint8Array.from({ length: count }, (_, i) => from + i);

const ANY_SUBMISSION = ascii(
  "Any submission to the IETF intended by the Contributor for publication as all or part of an " +
    "IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is " +
    'considered an "IETF Contribution". Such statements include oral statements in IETF sessions, ' +
    "as well as written and electronic communications made at any time or place, which are " +
    "addressed to",
);
const JABBERWOCKY = ascii(
  "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the " +
    "borogoves,\nAnd the mome raths outgrabe.",
);
const SUNSCREEN = ascii(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, " +
    "sunscreen would be it.",
);

function block(key: Uint8Array, nonce: Uint8Array, counter: number): Uint8Array {
  const state = new ChaChaKey();
  state.setKey(key);
  state.setNonceBytes(nonce);
  const out = new Uint8Array(64);
  chachaBlock(state, counter, out);
  return out;
}

function encrypt(key: Uint8Array, nonce: Uint8Array, counter: number, plaintext: Uint8Array) {
  const state = new ChaChaKey();
  state.setKey(key);
  state.setNonceBytes(nonce);
  const data = Uint8Array.from(plaintext);
  chachaXor(state, counter, data, 0, data.length);
  return data;
}

describe("ChaCha20 (RFC 8439 §2.3–2.4, Appendix A.1–A.2)", () => {
  test("§2.3.2 block function", () => {
    const out = block(range(0, 32), hex("000000090000004a00000000"), 1);
    assert.equal(
      toHex(out),
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  const a1 = [
    {
      key: new Uint8Array(32),
      nonce: new Uint8Array(12),
      counter: 0,
      out: "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
    },
    {
      key: new Uint8Array(32),
      nonce: new Uint8Array(12),
      counter: 1,
      out: "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
    },
    {
      key: hex(`${"00".repeat(31)}01`),
      nonce: new Uint8Array(12),
      counter: 1,
      out: "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0",
    },
    {
      key: hex(`00ff${"00".repeat(30)}`),
      nonce: new Uint8Array(12),
      counter: 2,
      out: "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096",
    },
    {
      key: new Uint8Array(32),
      nonce: hex(`${"00".repeat(11)}02`),
      counter: 0,
      out: "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c78a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d",
    },
  ];
  for (const [i, v] of a1.entries()) {
    test(`A.1 block function, test vector #${i + 1}`, () => {
      assert.equal(toHex(block(v.key, v.nonce, v.counter)), v.out);
    });
  }

  test("A.2 encryption, test vector #3 (counter 42, a partial last block)", () => {
    const key = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    const out = encrypt(key, hex(`${"00".repeat(11)}02`), 42, JABBERWOCKY);
    assert.equal(
      toHex(out),
      "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb14c616871" +
        "fd84c54f9d65b283196c7fe4f60553ebf39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77" +
        "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1",
    );
    assert.deepEqual(encrypt(key, hex(`${"00".repeat(11)}02`), 42, out), JABBERWOCKY);
  });
});

describe("Poly1305 (RFC 8439 §2.5, Appendix A.3)", () => {
  test("§2.5.2 example", () => {
    const key = hex(
      "85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b",
    );
    assert.equal(
      toHex(poly1305(key, ascii("Cryptographic Forum Research Group"))),
      "a8061dc1305136c6c22b8baf0c0127a9",
    );
  });

  const rs = (r: string, s: string) => hex(r + s);
  const zero16 = "00".repeat(16);
  const a3: { name: string; key: Uint8Array; text: Uint8Array; tag: string }[] = [
    { name: "#1 all zero", key: new Uint8Array(32), text: new Uint8Array(64), tag: zero16 },
    {
      name: "#2 r = 0: the tag is s",
      key: rs(zero16, "36e5f6b5c5e06070f0efca96227a863e"),
      text: ANY_SUBMISSION,
      tag: "36e5f6b5c5e06070f0efca96227a863e",
    },
    {
      name: "#3 s = 0",
      key: rs("36e5f6b5c5e06070f0efca96227a863e", zero16),
      text: ANY_SUBMISSION,
      tag: "f3477e7cd95417af89a6b8794c310cf0",
    },
    {
      name: "#4",
      key: hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"),
      text: JABBERWOCKY,
      tag: "4541669a7eaaee61e708dc7cbcc5eb62",
    },
    {
      name: "#5 partially reduced result not fully reduced",
      key: rs(`02${"00".repeat(15)}`, zero16),
      text: hex("ff".repeat(16)),
      tag: `03${"00".repeat(15)}`,
    },
    {
      name: "#6 adding s overflows 2^128",
      key: rs(`02${"00".repeat(15)}`, "ff".repeat(16)),
      text: hex(`02${"00".repeat(15)}`),
      tag: `03${"00".repeat(15)}`,
    },
    {
      name: "#7 all-ones limb with a carry from below",
      key: rs(`01${"00".repeat(15)}`, zero16),
      text: hex(`${"ff".repeat(16)}f0${"ff".repeat(15)}11${"00".repeat(15)}`),
      tag: `05${"00".repeat(15)}`,
    },
    {
      name: "#8 result exactly 2^130 - 5",
      key: rs(`01${"00".repeat(15)}`, zero16),
      text: hex(`${"ff".repeat(16)}fb${"fe".repeat(15)}${"01".repeat(16)}`),
      tag: zero16,
    },
    {
      name: "#9 result exactly 2^130 - 6",
      key: rs(`02${"00".repeat(15)}`, zero16),
      text: hex(`fd${"ff".repeat(15)}`),
      tag: `fa${"ff".repeat(15)}`,
    },
    {
      name: "#10 5*H+L reduction with a 131-bit intermediate",
      key: rs(`01${"00".repeat(7)}04${"00".repeat(7)}`, zero16),
      text: hex(
        `e33594d7505e43b9${"00".repeat(8)}3394d7505e4379cd01${"00".repeat(7)}${zero16}01${"00".repeat(15)}`,
      ),
      tag: `14${"00".repeat(7)}55${"00".repeat(7)}`,
    },
    {
      name: "#11 5*H+L reduction with a 131-bit final result",
      key: rs(`01${"00".repeat(7)}04${"00".repeat(7)}`, zero16),
      text: hex(`e33594d7505e43b9${"00".repeat(8)}3394d7505e4379cd01${"00".repeat(7)}${zero16}`),
      tag: `13${"00".repeat(15)}`,
    },
  ];
  for (const v of a3) {
    test(`A.3 test vector ${v.name}`, () => {
      assert.equal(toHex(poly1305(v.key, v.text)), v.tag);
    });
  }
});

describe("AEAD_CHACHA20_POLY1305 (RFC 8439 §2.6, §2.8, Appendix A.4–A.5)", () => {
  test("§2.6.2 and A.4: the one-time key is block 0's first 32 bytes", () => {
    const cases = [
      [
        range(0x80, 32),
        hex("000000000001020304050607"),
        "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646",
      ],
      [
        new Uint8Array(32),
        new Uint8Array(12),
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7",
      ],
      [
        hex(`${"00".repeat(31)}01`),
        hex(`${"00".repeat(11)}02`),
        "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739",
      ],
      [
        hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"),
        hex(`${"00".repeat(11)}02`),
        "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae",
      ],
    ] as const;
    for (const [key, nonce, otk] of cases) {
      assert.equal(toHex(block(key, nonce, 0).subarray(0, 32)), otk);
    }
  });

  test("§2.8.2 seal, and open back", () => {
    const key = range(0x80, 32);
    const nonce = hex("070000004041424344454647");
    const ad = hex("50515253c0c1c2c3c4c5c6c7");
    const data = new Uint8Array(SUNSCREEN.length + 16);
    data.set(SUNSCREEN);
    sealInPlace(key, nonce, ad, data, 0, SUNSCREEN.length);
    assert.equal(
      toHex(data),
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
        "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
        "3ff4def08e4b7a9de576d26586cec64b6116" +
        "1ae10b594f09e26a7e902ecbd0600691",
    );
    const out = new Uint8Array(SUNSCREEN.length);
    assert.equal(openInto(key, nonce, ad, data, out), true);
    assert.deepEqual(out, SUNSCREEN);
  });

  const A5_KEY = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
  const A5_NONCE = hex("000000000102030405060708");
  const A5_AD = hex("f33388860000000000004e91");
  const A5_SEALED = hex(
    "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0" +
      "bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
      "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9" +
      "9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
      "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130" +
      "305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b" +
      "eead9d67890cbb22392336fea1851f38",
  );

  test("A.5 decryption", () => {
    const out = new Uint8Array(A5_SEALED.length - 16);
    assert.equal(openInto(A5_KEY, A5_NONCE, A5_AD, A5_SEALED, out), true);
    assert.equal(
      new TextDecoder().decode(out),
      "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, " +
        "replaced, or obsoleted by other documents at any time. It is inappropriate to use " +
        "Internet-Drafts as reference material or to cite them other than as /\u201cwork in progress./\u201d",
    );
  });

  test("A.5 with any one bit flipped (ciphertext, tag, AD or nonce) is refused and decrypts nothing", () => {
    const out = new Uint8Array(A5_SEALED.length - 16).fill(0xa5);
    const untouched = Uint8Array.from(out);
    const flips: [Uint8Array, Uint8Array, Uint8Array][] = [];
    for (let bit = 0; bit < A5_SEALED.length * 8; bit += 7) {
      const sealed = Uint8Array.from(A5_SEALED);
      sealed[bit >> 3]! ^= 1 << (bit & 7);
      flips.push([A5_NONCE, A5_AD, sealed]);
    }
    for (let bit = 0; bit < 96; bit++) {
      const ad = Uint8Array.from(A5_AD);
      ad[bit >> 3]! ^= 1 << (bit & 7);
      const nonce = Uint8Array.from(A5_NONCE);
      nonce[bit >> 3]! ^= 1 << (bit & 7);
      flips.push([A5_NONCE, ad, A5_SEALED], [nonce, A5_AD, A5_SEALED]);
    }
    for (const [nonce, ad, sealed] of flips) {
      assert.equal(openInto(A5_KEY, nonce, ad, sealed, out), false);
    }
    assert.equal(openInto(A5_KEY, A5_NONCE, A5_AD, A5_SEALED.subarray(0, 15), out), false);
    assert.deepEqual(out, untouched);
  });
});

describe("the hybrid cipher functions (TypeScript ≤ SMALL_PACKET_BYTES, OpenSSL above)", () => {
  const lengths = fc.oneof(
    fc.integer({ min: 0, max: 80 }),
    fc.integer({ min: SMALL_PACKET_BYTES - 40, max: SMALL_PACKET_BYTES + 40 }),
  );
  const input = fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    n: fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    ad: fc.uint8Array({ maxLength: 40 }),
    body: lengths.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    cut: fc.nat(),
  });

  test("seal gives node:crypto's bytes for random keys, nonces and lengths around the threshold", () => {
    fc.assert(
      fc.property(input, ({ key, n, ad, body }) => {
        const nonce = Buffer.alloc(12);
        nonce.writeUInt32LE(n >>> 0, 4);
        nonce.writeUInt32LE(Math.floor(n / 2 ** 32), 8);
        const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
        c.setAAD(ad, { plaintextLength: body.length });
        const reference = Buffer.concat([c.update(body), c.final(), c.getAuthTag()]);
        assert.equal(toHex(chaChaPoly.encrypt(key, n, ad, body)), reference.toString("hex"));
        assert.equal(toHex(chaChaPolyOpenssl.encrypt(key, n, ad, body)), reference.toString("hex"));
      }),
      { numRuns: 400 },
    );
  });

  test("a gathered seal (parts) gives the joined seal's bytes, and each side opens the other's", () => {
    fc.assert(
      fc.property(input, ({ key, n, ad, body, cut }) => {
        const at = body.length === 0 ? 0 : cut % body.length;
        const parts = [body.subarray(0, at), body.subarray(at)];
        const out = new Uint8Array(body.length + 16 + 3);
        chaChaPoly.encryptInto(key, n, ad, parts, out, 3);
        const sealed = out.subarray(3);
        assert.deepEqual(sealed, chaChaPolyOpenssl.encrypt(key, n, ad, body));
        assert.deepEqual(chaChaPoly.decrypt(key, n, ad, sealed), body);
        assert.deepEqual(chaChaPolyOpenssl.decrypt(key, n, ad, sealed), body);
      }),
      { numRuns: 300 },
    );
  });

  test("any one flipped bit is refused by both sides", () => {
    fc.assert(
      fc.property(input, fc.nat(), ({ key, n, ad, body }, flip) => {
        const sealed = chaChaPoly.encrypt(key, n, ad, body);
        const bit = flip % (sealed.length * 8);
        sealed[bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(chaChaPoly.decrypt(key, n, ad, sealed), null);
        assert.equal(chaChaPolyOpenssl.decrypt(key, n, ad, sealed), null);
      }),
      { numRuns: 300 },
    );
  });
});
