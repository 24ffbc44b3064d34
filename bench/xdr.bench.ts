/**
 * XDR encode+decode of a realistic message: an NFSv3 READDIRPLUS reply (RFC 1813 §3.3.17) with
 * 32 directory entries (names, file handles, full attributes, 64-bit ids), through Lupine's
 * generated codecs (bench/gen/nfs3.ts, from bench/nfs3.x) and through @stellar/js-xdr with the
 * same types defined by its API, in the same run. Target: Lupine ≥ 3× js-xdr.
 */
import * as js from "@stellar/js-xdr";
import { decode, encode } from "../src/xdr/index.js";
import * as nfs from "./gen/nfs3.js";
import { type BenchOptions, type BenchRow, measureOps } from "./harness.js";

const ENTRIES = 32;

function attrs(i: number): nfs.fattr3 {
  const t = { seconds: 1700000000 + i, nseconds: 123456 * i };
  return {
    type: nfs.ftype3.NF3REG,
    mode: 0o644,
    nlink: 1,
    uid: 1000,
    gid: 1000,
    size: 4096n * BigInt(i + 1),
    used: 4096n * BigInt(i + 1),
    rdev: { specdata1: 0, specdata2: 0 },
    fsid: 0x1234567890n,
    fileid: 1000000n + BigInt(i),
    atime: t,
    mtime: t,
    ctime: t,
  };
}

function lupineValue(): nfs.READDIRPLUS3res {
  let entries: nfs.entryplus3 | null = null;
  for (let i = ENTRIES - 1; i >= 0; i--) {
    entries = {
      fileid: 1000000n + BigInt(i),
      name: `file-${i.toString().padStart(4, "0")}.txt`,
      cookie: BigInt(i + 1),
      name_attributes: { attributes_follow: true, attributes: attrs(i) },
      name_handle: { handle_follows: true, handle: { data: new Uint8Array(32).fill(i) } },
      nextentry: entries,
    };
  }
  return {
    status: nfs.nfsstat3.NFS3_OK,
    resok: {
      dir_attributes: { attributes_follow: true, attributes: attrs(99) },
      cookieverf: new Uint8Array(8).fill(7),
      reply: { entries, eof: true },
    },
  };
}

/**
 * The same types through @stellar/js-xdr 5's schema builders. Its strings are byte arrays (it
 * leaves UTF-8 to the caller), so its values carry names pre-encoded and its decoder returns
 * bytes: it does less work per entry name than Lupine, which decodes to JavaScript strings.
 */
function jsXdrTypes() {
  const ftype3 = js.enumType("ftype3", {
    NF3REG: 1,
    NF3DIR: 2,
    NF3BLK: 3,
    NF3CHR: 4,
    NF3LNK: 5,
    NF3SOCK: 6,
    NF3FIFO: 7,
  });
  const nfsstat3 = js.enumType("nfsstat3", {
    NFS3_OK: 0,
    NFS3ERR_PERM: 1,
    NFS3ERR_NOENT: 2,
    NFS3ERR_IO: 5,
  });
  const specdata3 = js.struct("specdata3", { specdata1: js.uint32(), specdata2: js.uint32() });
  const nfstime3 = js.struct("nfstime3", { seconds: js.uint32(), nseconds: js.uint32() });
  const fattr3 = js.struct("fattr3", {
    type: ftype3,
    mode: js.uint32(),
    nlink: js.uint32(),
    uid: js.uint32(),
    gid: js.uint32(),
    size: js.uint64(),
    used: js.uint64(),
    rdev: specdata3,
    fsid: js.uint64(),
    fileid: js.uint64(),
    atime: nfstime3,
    mtime: nfstime3,
    ctime: nfstime3,
  });
  const post_op_attr = js.union("post_op_attr", {
    switchOn: js.bool(),
    switchKey: "attributes_follow",
    cases: [
      js.case("present", true, js.field("attributes", fattr3)),
      js.case("absent", false, js.void()),
    ],
  });
  const nfs_fh3 = js.struct("nfs_fh3", { data: js.varOpaque(64) });
  const post_op_fh3 = js.union("post_op_fh3", {
    switchOn: js.bool(),
    switchKey: "handle_follows",
    cases: [
      js.case("present", true, js.field("handle", nfs_fh3)),
      js.case("absent", false, js.void()),
    ],
  });
  interface Entry {
    readonly fileid: bigint;
    readonly name: Uint8Array;
    readonly cookie: bigint;
    readonly name_attributes: js.Infer<typeof post_op_attr>;
    readonly name_handle: js.Infer<typeof post_op_fh3>;
    readonly nextentry: Entry | null;
  }
  const entryplus3: js.XdrType<Entry> = js.struct("entryplus3", {
    fileid: js.uint64(),
    name: js.string(js.UNBOUNDED_MAX_LENGTH),
    cookie: js.uint64(),
    name_attributes: post_op_attr,
    name_handle: post_op_fh3,
    nextentry: js.option(js.lazy(() => entryplus3)),
  });
  const dirlistplus3 = js.struct("dirlistplus3", {
    entries: js.option(entryplus3),
    eof: js.bool(),
  });
  const resok = js.struct("READDIRPLUS3resok", {
    dir_attributes: post_op_attr,
    cookieverf: js.opaque(8),
    reply: dirlistplus3,
  });
  const resfail = js.struct("READDIRPLUS3resfail", { dir_attributes: post_op_attr });
  const READDIRPLUS3res = js.union("READDIRPLUS3res", {
    switchOn: nfsstat3,
    switchKey: "status",
    cases: [js.case("ok", nfsstat3.NFS3_OK, js.field("resok", resok))],
    defaultArm: js.field("resfail", resfail),
  });
  return { READDIRPLUS3res, entryplus3 };
}

type JsTypes = ReturnType<typeof jsXdrTypes>;

function jsXdrValue(): js.Infer<JsTypes["READDIRPLUS3res"]> {
  const utf8 = new TextEncoder();
  const attributes = (i: number) => ({ attributes_follow: true as const, attributes: attrs(i) });
  let entries: js.Infer<JsTypes["entryplus3"]> | null = null;
  for (let i = ENTRIES - 1; i >= 0; i--) {
    entries = {
      fileid: 1000000n + BigInt(i),
      name: utf8.encode(`file-${i.toString().padStart(4, "0")}.txt`),
      cookie: BigInt(i + 1),
      name_attributes: attributes(i),
      name_handle: { handle_follows: true, handle: { data: new Uint8Array(32).fill(i) } },
      nextentry: entries,
    };
  }
  return {
    status: 0,
    resok: {
      dir_attributes: attributes(99),
      cookieverf: new Uint8Array(8).fill(7),
      reply: { entries, eof: true },
    },
  };
}

/** Runs the XDR benchmark. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const window = options.quick ? { ms: 50, rounds: 2 } : { ms: 400, rounds: 7 };
  const value = lupineValue();
  const bytes = encode(nfs.xdr_READDIRPLUS3res, value);
  const { READDIRPLUS3res } = jsXdrTypes();
  const jsValue = jsXdrValue();
  const jsBytes = READDIRPLUS3res.encode(jsValue);
  if (Buffer.compare(Buffer.from(bytes), Buffer.from(jsBytes)) !== 0)
    throw new Error("js-xdr and Lupine disagree on the bytes");
  READDIRPLUS3res.decode(bytes);
  const group = `xdr: READDIRPLUS3res (${ENTRIES} entries, ${bytes.length} bytes) encode+decode`;
  const rows: BenchRow[] = [];
  const add = (g: string, system: string, fn: () => void, baseline = false) => {
    const m = measureOps(fn, { ...window, batch: 20 });
    rows.push({
      group: g,
      system,
      unit: "ops/s",
      better: "higher",
      ...m,
      ...(baseline ? { baseline } : {}),
    });
  };
  add(
    group,
    "@stellar/js-xdr",
    () => READDIRPLUS3res.decode(READDIRPLUS3res.encode(jsValue)),
    true,
  );
  add(group, "lupine (generated codec)", () =>
    decode(nfs.xdr_READDIRPLUS3res, encode(nfs.xdr_READDIRPLUS3res, value)),
  );
  const enc = `xdr: READDIRPLUS3res encode only`;
  add(enc, "@stellar/js-xdr", () => READDIRPLUS3res.encode(jsValue), true);
  add(enc, "lupine (generated codec)", () => encode(nfs.xdr_READDIRPLUS3res, value));
  const dec = `xdr: READDIRPLUS3res decode only`;
  add(dec, "@stellar/js-xdr", () => READDIRPLUS3res.decode(jsBytes), true);
  add(dec, "lupine (generated codec)", () => decode(nfs.xdr_READDIRPLUS3res, bytes));
  return rows;
}
