/**
 * TypeScript declarations and codec objects (RFC 4506 §4) shared by the emitters, and those of
 * enums (§4.3, `as const` objects plus a union type), typedefs (type aliases), types defined
 * outside the compiled files (`unknown`, bound at run time) and codecs that cannot work. Every
 * codec is `xdr_<type>` (rpcgen's routine name) with a `minSize`, straight-line bodies, and one
 * try/catch that adds the field path to an `XdrError`. Structs are in `emit-struct.ts`, unions
 * in `emit-union.ts`.
 */
import { BodyWriter } from "./emit-body.js";
import type { EmitContext } from "./emit-context.js";
import type { EnumType, ExternalType, TypedefType } from "./model.js";
import { codecName, propertyKey, quote, tsName } from "./names.js";

/**
 * A one-line JSDoc citing where a definition is: `/** struct point (conformance.x:38) *\/`;
 * `where` prefixes the place (`first used at `).
 */
export function docLine(
  ctx: EmitContext,
  what: string,
  pos: { file: string; line: number },
  where = "",
): void {
  const file = pos.file.slice(pos.file.lastIndexOf("/") + 1);
  ctx.printer.line(`/** ${what.replace(/\*\//g, "*\\/")} (${where}${file}:${pos.line}) */`);
}

/**
 * A codec that cannot work (a fixed size defined outside the compiled files, or a type with no
 * finite value): it throws `reason` as an `XdrError` when used, never when the module loads.
 */
export function emitFailingCodec(
  ctx: EmitContext,
  name: string,
  tsType: string,
  reason: string,
): void {
  const p = ctx.printer;
  const close = codecHead(ctx, name, tsType, 0);
  p.indent(() => {
    p.block(
      "encode($w) {",
      () => {
        p.line(`throw new ${ctx.xdr}.XdrError(${quote(reason)}, $w.length);`);
      },
      "},",
    );
    p.block("decode($r) {", () => p.line(`return $r.fail(${quote(reason)});`), "},");
  });
  p.line(close);
}

/**
 * A type defined outside the compiled files: `unknown`, with a codec the program binds at run
 * time (`xdr_T.bind(codec)`), as rpcgen's C output leaves `xdr_T` to a header.
 */
export function emitExternal(ctx: EmitContext, e: ExternalType): void {
  const name = tsName(e.name);
  const file = ctx.fileName;
  docLine(
    ctx,
    `${e.name} is defined outside ${file}: bind ${codecName(e.name)} before coding it`,
    e.pos,
    "first used at ",
  );

  ctx.printer.line(`export type ${name} = unknown;`);
  ctx.printer.line(
    `export const ${codecName(e.name)}: ${ctx.xdr}.ExternalCodec<${name}> = ${ctx.xdr}.external(${quote(e.name)}, ${quote(file)});`,
  );
}

/** `export const xdr_T: XdrCodec<T> = { name, minSize,`; returns the closing line. */
export function codecHead(ctx: EmitContext, name: string, tsType: string, minSize: number): string {
  ctx.printer.line(`export const ${codecName(name)}: ${ctx.xdr}.XdrCodec<${tsType}> = {`);
  ctx.printer.indent(() => ctx.printer.line(`name: ${quote(name)},`, `minSize: ${minSize},`));
  return "};";
}

/** The catch clause shared by codecs: adds the type name, field and element index. */
export function catchClause(
  ctx: EmitContext,
  type: string,
  fields: readonly string[],
  index: boolean,
): void {
  const seg =
    fields.length === 0
      ? "undefined"
      : fields.length === 1
        ? quote(fields[0]!)
        : `[${fields.map(quote).join(", ")}][$f]`;
  ctx.printer.block("} catch ($e) {", () => {
    const args = fields.length === 0 && !index ? "" : `, ${seg}${index ? ", $i" : ""}`;
    ctx.printer.line(`throw ${ctx.xdr}.XdrError.at($e, ${quote(type)}${args});`);
  });
}

/** Emits an enum: the object, its type, the members as constants, and the codec. */
export function emitEnum(ctx: EmitContext, e: EnumType, memberConsts: ReadonlySet<string>): void {
  const p = ctx.printer;
  const name = tsName(e.name);
  docLine(ctx, `enum ${e.name}`, e.pos);
  p.block(
    `export const ${name} = {`,
    () => {
      for (const m of e.members) p.line(`${propertyKey(m.name)}: ${m.value},`);
    },
    "} as const;",
  );
  p.line(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
  for (const m of e.members) {
    if (memberConsts.has(`${e.name}.${m.name}`))
      p.line(`export const ${tsName(m.name)} = ${m.value};`);
    else p.line(`// ${m.name} is not exported as a constant: another definition has that name`);
  }
  const values = [...new Set(e.members.map((m) => m.value))];
  const cases: string[] = [];
  for (let i = 0; i < values.length; i += 8) {
    cases.push(
      values
        .slice(i, i + 8)
        .map((v) => `case ${v}:`)
        .join(" "),
    );
  }
  const note =
    e.outside.length === 0
      ? ""
      : ` (the values of ${e.outside.join(", ")} are defined outside ${ctx.fileName})`;
  if (e.members.length === 0) {
    emitFailingCodec(ctx, e.name, name, `enum ${e.name} has no known member${note}`);
    return;
  }
  const bad = `is not a ${note === "" ? "" : "known "}member of enum ${e.name}${note}`;
  const close = codecHead(ctx, e.name, name, 4);
  p.indent(() => {
    p.block(
      "encode($w, $v) {",
      () => {
        p.block("switch ($v) {", () => {
          p.line(...cases);
          p.indent(() => p.line("$w.writeInt($v);", "return;"));
        });
        p.line(`throw new ${ctx.xdr}.XdrError(String($v) + ${quote(` ${bad}`)}, $w.length);`);
      },
      "},",
    );
    p.block(
      "decode($r) {",
      () => {
        p.line("const $v = $r.readInt();");
        p.block("switch ($v) {", () => {
          p.line(...cases);
          p.indent(() => p.line(`return $v as ${name};`));
        });
        p.line(`return $r.fail($v + ${quote(` ${bad}`)}, $r.pos - 4);`);
      },
      "},",
    );
  });
  p.line(close);
}

/** Emits a typedef: a type alias and a codec. */
export function emitTypedef(ctx: EmitContext, t: TypedefType): void {
  const p = ctx.printer;
  const name = tsName(t.name);
  docLine(ctx, `typedef ${t.name}`, t.pos);
  p.line(`export type ${name} = ${ctx.tsType(t.type)};`);
  const failure = ctx.failure(t);
  if (failure !== null) {
    emitFailingCodec(ctx, t.name, name, failure);
    return;
  }
  const close = codecHead(ctx, t.name, name, ctx.factsOf(t).minSize);
  const rec = ctx.factsOf(t).recursive;
  p.indent(() => {
    const enc = new BodyWriter(ctx, p);
    p.block(
      "encode($w, $v) {",
      () => {
        const at = p.mark();
        p.block("try {", () => enc.encode(t.type, "$v"), null);
        if (enc.usesIndex) p.insert(at, "let $i = -1;");
        catchClause(ctx, t.name, [], enc.usesIndex);
      },
      "},",
    );
    const dec = new BodyWriter(ctx, p);
    p.block(
      "decode($r) {",
      () => {
        const at = p.mark();
        if (rec) p.line("$r.enter();");
        p.block(
          "try {",
          () => {
            const e = dec.decode(t.type);
            if (rec) p.line(`const $x = ${e};`, "$r.leave();", "return $x;");
            else p.line(`return ${e};`);
          },
          null,
        );
        if (dec.usesIndex) p.insert(at, "let $i = -1;");
        catchClause(ctx, t.name, [], dec.usesIndex);
      },
      "},",
    );
  });
  p.line(close);
}
