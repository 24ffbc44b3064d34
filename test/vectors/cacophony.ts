/**
 * Noise Protocol Framework test vectors: the entries of the cacophony vector file for the four
 * protocols Lupine implements (IK and XX over 25519 / ChaChaPoly / BLAKE2s and SHA256), copied
 * unchanged (hex strings) from
 * `https://github.com/haskell-cryptography/cacophony/blob/36c1e5c3a799342b226547ce9fdb3579ab60ccd3/vectors/cacophony.txt`.
 *
 * Format (the Noise test-vector format shared by cacophony, snow and noise-c): messages alternate
 * between initiator and responder, starting with the initiator; each is the payload and the full
 * message on the wire; those after the handshake are transport messages encrypted with the
 * CipherStates that `Split()` returned.
 */

/** One vector of the cacophony file (only the fields our patterns use). */
export interface NoiseVector {
  readonly name: string;
  readonly init_prologue: string;
  readonly init_static: string;
  readonly init_ephemeral: string;
  readonly init_remote_static?: string;
  readonly resp_prologue: string;
  readonly resp_static: string;
  readonly resp_ephemeral: string;
  readonly messages: readonly { readonly payload: string; readonly ciphertext: string }[];
}

const prologue = "4a6f686e2047616c74";
const initStatic = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
const initEphemeral = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
const respStatic = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
const respStaticPublic = "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62";
const respEphemeral = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";

const payloads = [
  "4c756477696720766f6e204d69736573",
  "4d757272617920526f746862617264",
  "462e20412e20486179656b",
  "4361726c204d656e676572",
  "4a65616e2d426170746973746520536179",
  "457567656e2042f6686d20766f6e2042617765726b",
] as const;

function vector(
  name: string,
  remoteStatic: boolean,
  ciphertexts: readonly [string, string, string, string, string, string],
): NoiseVector {
  return {
    name,
    init_prologue: prologue,
    init_static: initStatic,
    init_ephemeral: initEphemeral,
    ...(remoteStatic ? { init_remote_static: respStaticPublic } : {}),
    resp_prologue: prologue,
    resp_static: respStatic,
    resp_ephemeral: respEphemeral,
    messages: ciphertexts.map((ciphertext, i) => ({ payload: payloads[i]!, ciphertext })),
  };
}

/** The cacophony vectors for the protocols Lupine implements. */
export const cacophonyVectors: readonly NoiseVector[] = [
  vector("Noise_IK_25519_ChaChaPoly_BLAKE2s", true, [
    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79440b03ddc7aac5123d06a1b23b71670e32e76c28239a7ca4ac8f784de7e44c1adbfc6e83fef7352a58d9d56157400c0a737b1d171ce368229c7b752ac25b8faf4eca690f6d896f543be02c996ab2b86b76",
    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843d9b5a8927f0ac9655ef76833bc7e5561f42e691ac8404efd6fbd6308b6a27c",
    "2c256ed08fcd08c2980f954ee4beaccb61c9581340f5dd2fd1cf3b",
    "d6033f70eee20945c7c9dba304e397ee3b284ff5e00fd9efb095d3",
    "a9c068ca5d8babf72560652d8e851adbfac35c8a66e810d560863173e96adf4cfe",
    "2a09d8f459e5927e40fdd2eddc99bdafb04e13a26f145cb5cfe9e6ba34c94331ebc17d5156",
  ]),
  vector("Noise_IK_25519_ChaChaPoly_SHA256", true, [
    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944718da798efbcd91528520204f904b9bd6c7413dccdc214d951e15253e39987f18146e8cd0873654207148333479d4d16c289f0294b29960a72f48e0b7bba2e89083169825e59642148d492020664ccf7",
    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088435361e70b2ed446e6c9ec387d1d6b3b840f194e373979d241b203c4acafccf5",
    "050e9f3c8fac16b68dbce8f8c4bfbf6617c897f9ada4aa29aa19c8",
    "344233a6cabb7141d80f3da2fedc311d9646bbb0f505afe403a667",
    "62cdeeb172ad7ade7aa7d9e069da5790f12331bfa00177787a1d0810c67dc3b2b4",
    "029bead1b40992327044d409d9a1f3ad8f36c3c452775d557e18bbeb2e8dfcead32d514024",
  ]),
  vector("Noise_XX_25519_ChaChaPoly_BLAKE2s", false, [
    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573",
    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088437c365eb362a1c991b0557fe8a7fb187d99346765d93ec63db6c1b01504ebeec55a2298d2dbff80eff034d20595153f63a196a6cead1e11b2bb13e336fa13616dd3e8b0a070c882ed3f1a78c7c06c93",
    "46c3307de83b014258717d97781c1f50936d8b7d50c0722a1739654d10392d415b670c114f79b9a4f80541570f77ce88802efa4220cff733e7b5668ba38059ec904b4b8eef9448085faf51",
    "d5e83adfaac5dc324a68f1862df54549e56d209fba707205f328b2",
    "d102c9029b1f55c788f561ba7737afbccef9c9f1bf2f238167fd40ba9c1c134867",
    "cb1ce80960382c6d5d5e740ffb724d1432f0310b200fb6f8424120f506092744baa415e155",
  ]),
  vector("Noise_XX_25519_ChaChaPoly_SHA256", false, [
    "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573",
    "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad",
    "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030",
    "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df",
    "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5",
    "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f",
  ]),
];
