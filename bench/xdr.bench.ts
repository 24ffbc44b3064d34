/**
 * XDR encode+decode of a realistic message: an NFSv3 READDIRPLUS reply (RFC 1813 §3.3.17) with
 * 32 directory entries (names, file handles, full attributes, 64-bit ids), through Lupine's
 * generated codecs (bench/gen/nfs3.ts, from bench/nfs3.x) and through @stellar/js-xdr with the
 * same types defined by its API, in the same run. Target: Lupine ≥ 3× js-xdr.
 */
import { createRequire } from "node:module";
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

// biome-ignore lint/suspicious/noExplicitAny: js-xdr has no types for configured definitions
type Any = any;
const JsXdr: Any = createRequire(import.meta.url)("@stellar/js-xdr");

function jsXdrTypes(): Any {
  return JsXdr.config((x: Any) => {
    x.enum("ftype3", {
      nf3reg: 1,
      nf3dir: 2,
      nf3blk: 3,
      nf3chr: 4,
      nf3lnk: 5,
      nf3sock: 6,
      nf3fifo: 7,
    });
    x.enum("nfsstat3", { nfs3Ok: 0, nfs3errPerm: 1, nfs3errNoent: 2, nfs3errIo: 5 });
    x.struct("specdata3", [
      ["specdata1", x.uint()],
      ["specdata2", x.uint()],
    ]);
    x.struct("nfstime3", [
      ["seconds", x.uint()],
      ["nseconds", x.uint()],
    ]);
    x.struct("fattr3", [
      ["type", x.lookup("ftype3")],
      ["mode", x.uint()],
      ["nlink", x.uint()],
      ["uid", x.uint()],
      ["gid", x.uint()],
      ["size", x.uhyper()],
      ["used", x.uhyper()],
      ["rdev", x.lookup("specdata3")],
      ["fsid", x.uhyper()],
      ["fileid", x.uhyper()],
      ["atime", x.lookup("nfstime3")],
      ["mtime", x.lookup("nfstime3")],
      ["ctime", x.lookup("nfstime3")],
    ]);
    x.union("post_op_attr", {
      switchOn: x.bool(),
      switches: [
        [true, "attributes"],
        [false, x.void()],
      ],
      arms: { attributes: x.lookup("fattr3") },
    });
    x.struct("nfs_fh3", [["data", x.varOpaque(64)]]);
    x.union("post_op_fh3", {
      switchOn: x.bool(),
      switches: [
        [true, "handle"],
        [false, x.void()],
      ],
      arms: { handle: x.lookup("nfs_fh3") },
    });
    x.struct("entryplus3", [
      ["fileid", x.uhyper()],
      ["name", x.string()],
      ["cookie", x.uhyper()],
      ["nameAttributes", x.lookup("post_op_attr")],
      ["nameHandle", x.lookup("post_op_fh3")],
      ["nextentry", x.option(x.lookup("entryplus3"))],
    ]);
    x.struct("dirlistplus3", [
      ["entries", x.option(x.lookup("entryplus3"))],
      ["eof", x.bool()],
    ]);
    x.struct("READDIRPLUS3resok", [
      ["dirAttributes", x.lookup("post_op_attr")],
      ["cookieverf", x.opaque(8)],
      ["reply", x.lookup("dirlistplus3")],
    ]);
    x.struct("READDIRPLUS3resfail", [["dirAttributes", x.lookup("post_op_attr")]]);
    x.union("READDIRPLUS3res", {
      switchOn: x.lookup("nfsstat3"),
      switches: [["nfs3Ok", "resok"]],
      defaultArm: "resfail",
      arms: { resok: x.lookup("READDIRPLUS3resok"), resfail: x.lookup("READDIRPLUS3resfail") },
    });
  });
}

function jsXdrValue(t: Any): Any {
  const uh = (n: bigint) => new JsXdr.UnsignedHyper(n);
  const attrsOf = (i: number) => {
    const a = attrs(i);
    const time = () => new t.nfstime3({ seconds: a.atime.seconds, nseconds: a.atime.nseconds });
    return new t.fattr3({
      type: t.ftype3.nf3reg(),
      mode: a.mode,
      nlink: a.nlink,
      uid: a.uid,
      gid: a.gid,
      size: uh(a.size),
      used: uh(a.used),
      rdev: new t.specdata3({ specdata1: 0, specdata2: 0 }),
      fsid: uh(a.fsid),
      fileid: uh(a.fileid),
      atime: time(),
      mtime: time(),
      ctime: time(),
    });
  };
  let entries: Any = null;
  for (let i = ENTRIES - 1; i >= 0; i--) {
    entries = new t.entryplus3({
      fileid: uh(1000000n + BigInt(i)),
      name: `file-${i.toString().padStart(4, "0")}.txt`,
      cookie: uh(BigInt(i + 1)),
      nameAttributes: new t.post_op_attr(true, attrsOf(i)),
      nameHandle: new t.post_op_fh3(true, new t.nfs_fh3({ data: Buffer.alloc(32, i) })),
      nextentry: entries,
    });
  }
  return t.READDIRPLUS3res.nfs3Ok(
    new t.READDIRPLUS3resok({
      dirAttributes: new t.post_op_attr(true, attrsOf(99)),
      cookieverf: Buffer.alloc(8, 7),
      reply: new t.dirlistplus3({ entries, eof: true }),
    }),
  );
}

/** Runs the XDR benchmark. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const window = options.quick ? { ms: 50, rounds: 2 } : { ms: 400, rounds: 7 };
  const value = lupineValue();
  const bytes = encode(nfs.xdr_READDIRPLUS3res, value);
  const types = jsXdrTypes();
  const jsValue = jsXdrValue(types);
  const jsBytes: Buffer = jsValue.toXDR();
  if (Buffer.compare(Buffer.from(bytes), jsBytes) !== 0)
    throw new Error("js-xdr and Lupine disagree on the bytes");
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
  add(group, "@stellar/js-xdr", () => types.READDIRPLUS3res.fromXDR(jsValue.toXDR()), true);
  add(group, "lupine (generated codec)", () =>
    decode(nfs.xdr_READDIRPLUS3res, encode(nfs.xdr_READDIRPLUS3res, value)),
  );
  const enc = `xdr: READDIRPLUS3res encode only`;
  add(enc, "@stellar/js-xdr", () => jsValue.toXDR(), true);
  add(enc, "lupine (generated codec)", () => encode(nfs.xdr_READDIRPLUS3res, value));
  const dec = `xdr: READDIRPLUS3res decode only`;
  add(dec, "@stellar/js-xdr", () => types.READDIRPLUS3res.fromXDR(jsBytes), true);
  add(dec, "lupine (generated codec)", () => decode(nfs.xdr_READDIRPLUS3res, bytes));
  return rows;
}
