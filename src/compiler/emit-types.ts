/**
 * TypeScript declarations and codec objects for the types of a `.x` file (RFC 4506 §4):
 * enums as `as const` objects plus a union type, structs as interfaces, unions as discriminated
 * unions keyed by the declared discriminant and arm names, typedefs as type aliases. Every codec
 * is `xdr_<type>` (rpcgen's routine name) with a `minSize`, straight-line bodies, and one
 * try/catch that adds the field path to an `XdrError`.
 */
import { BodyWriter, member } from "./emit-body.js";
import type { EmitContext } from "./emit-context.js";
import type { EnumType, Field, StructType, TypedefType } from "./model.js";
import { codecName, propertyKey, quote, tsName } from "./names.js";

/** `/** struct point (conformance.x:38) *\/` */
export function docLine(ctx: EmitContext, what: string, pos: { file: string; line: number }): void {
  const file = pos.file.slice(pos.file.lastIndexOf("/") + 1);
  ctx.printer.line(`/** ${what.replace(/\*\//g, "*\\/")} (${file}:${pos.line}) */`);
}

function codecHead(ctx: EmitContext, name: string, tsType: string, minSize: number): string {
  ctx.printer.line(`export const ${codecName(name)}: ${ctx.xdr}.XdrCodec<${tsType}> = {`);
  ctx.printer.indent(() => ctx.printer.line(`name: ${quote(name)},`, `minSize: ${minSize},`));
  return "};";
}

/** The catch clause shared by codecs: adds the type name, field and element index. */
function catchClause(
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
  const close = codecHead(ctx, e.name, name, 4);
  p.indent(() => {
    p.block(
      "encode($w, $v) {",
      () => {
        p.block("switch ($v) {", () => {
          p.line(...cases);
          p.indent(() => p.line("$w.writeInt($v);", "return;"));
        });
        p.line(
          `throw new ${ctx.xdr}.XdrError(\`\${String($v)} is not a member of enum ${e.name}\`, $w.length);`,
        );
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
        p.line(`return $r.fail(\`\${$v} is not a member of enum ${e.name}\`, $r.pos - 4);`);
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

/** Emits a struct: an interface and a codec (iterative for linked lists). */
export function emitStruct(ctx: EmitContext, s: StructType): void {
  const p = ctx.printer;
  const name = tsName(s.name);
  docLine(ctx, `struct ${s.name}`, s.pos);
  p.block(`export interface ${name} {`, () => {
    for (const f of s.fields) p.line(`${propertyKey(f.name)}: ${ctx.tsType(f.type)};`);
  });
  const facts = ctx.factsOf(s);
  const close = codecHead(ctx, s.name, name, facts.minSize);
  const names = s.fields.map((f) => f.name);
  p.indent(() => {
    if (facts.listField !== null) emitListBodies(ctx, s, name, facts.recursive);
    else {
      const enc = new BodyWriter(ctx, p);
      p.block(
        "encode($w, $v) {",
        () => {
          if (names.length > 1) p.line("let $f = 0;");
          const at = p.mark();
          p.block("try {", () => fieldsEncode(ctx, enc, s.fields, "$v"), null);
          if (enc.usesIndex) p.insert(at, "let $i = -1;");
          catchClause(ctx, s.name, names, enc.usesIndex);
        },
        "},",
      );
      const dec = new BodyWriter(ctx, p);
      p.block(
        "decode($r) {",
        () => {
          if (names.length > 1) p.line("let $f = 0;");
          const at = p.mark();
          if (facts.recursive) p.line("$r.enter();");
          p.block(
            "try {",
            () => {
              const locals = fieldsDecode(ctx, dec, s.fields);
              if (facts.recursive) p.line("$r.leave();");
              p.line(
                `return { ${s.fields.map((f, i) => `${propertyKey(f.name)}: ${locals[i]}`).join(", ")} };`,
              );
            },
            null,
          );
          if (dec.usesIndex) p.insert(at, "let $i = -1;");
          catchClause(ctx, s.name, names, dec.usesIndex);
        },
        "},",
      );
    }
  });
  p.line(close);
}

function fieldsEncode(
  ctx: EmitContext,
  enc: BodyWriter,
  fields: readonly Field[],
  obj: string,
): void {
  fields.forEach((f, i) => {
    if (i > 0 || obj === "$node") ctx.printer.line(`$f = ${i};`);
    enc.encode(f.type, member(obj, f.name));
  });
}

function fieldsDecode(
  ctx: EmitContext,
  dec: BodyWriter,
  fields: readonly Field[],
  list = false,
): string[] {
  return fields.map((f, i) => {
    if (i > 0 || list) ctx.printer.line(`$f = ${i};`);
    const local = `f_${f.name}`;
    ctx.printer.line(`const ${local} = ${dec.decode(f.type)};`);
    return local;
  });
}

/**
 * A linked list (`struct node { ...; node *next; }`): a loop over the nodes both ways, so a
 * million-node list needs no recursion. Error paths name the node: `node.next[3].value`.
 */
function emitListBodies(ctx: EmitContext, s: StructType, name: string, recursive: boolean): void {
  const p = ctx.printer;
  const body = s.fields.slice(0, -1);
  const link = s.fields[s.fields.length - 1]!;
  const names = s.fields.map((f) => f.name);
  const rethrow = (index: boolean) => {
    const seg = `[${names.map(quote).join(", ")}][$f]`;
    p.block("} catch ($e) {", () => {
      p.line(
        `const $x = ${ctx.xdr}.XdrError.at($e, ${quote(s.name)}, ${seg}${index ? ", $i" : ""});`,
      );
      p.line(
        `throw $k > 0 ? ${ctx.xdr}.XdrError.at($x, ${quote(s.name)}, ${quote(link.name)}, $k) : $x;`,
      );
    });
  };
  const enc = new BodyWriter(ctx, p);
  p.block(
    "encode($w, $v) {",
    () => {
      p.line("let $f = 0;", "let $k = 0;");
      const at = p.mark();
      p.line(`let $node: ${name} = $v;`);
      p.block(
        "try {",
        () => {
          p.block("for (;;) {", () => {
            fieldsEncode(ctx, enc, body, "$node");
            p.line(`$f = ${body.length};`);
            p.line(`const $next = ${member("$node", link.name)};`);
            p.block("if ($next === null || $next === undefined) {", () =>
              p.line("$w.writeUint(0);", "return;"),
            );
            p.line("$w.writeUint(1);", "$node = $next;", "$k++;");
          });
        },
        null,
      );
      if (enc.usesIndex) p.insert(at, "let $i = -1;");
      rethrow(enc.usesIndex);
    },
    "},",
  );
  const dec = new BodyWriter(ctx, p);
  p.block(
    "decode($r) {",
    () => {
      p.line("let $f = 0;", "let $k = 0;");
      const at = p.mark();
      p.line(`let $head: ${name} | null = null;`, `let $prev: ${name} | null = null;`);
      if (recursive) p.line("$r.enter();");
      p.block(
        "try {",
        () => {
          p.block("for (;;) {", () => {
            const locals = fieldsDecode(ctx, dec, body, true);
            p.line(`$f = ${body.length};`);
            const props = body.map((f, i) => `${propertyKey(f.name)}: ${locals[i]}`);
            props.push(`${propertyKey(link.name)}: null`);
            p.line(`const $node: ${name} = { ${props.join(", ")} };`);
            p.line(
              `if ($prev === null) $head = $node;`,
              `else ${member("$prev", link.name)} = $node;`,
            );
            p.line("$prev = $node;", "if (!$r.readBool()) break;", "$k++;");
          });
          if (recursive) p.line("$r.leave();");
          p.line(`return $head as ${name};`);
        },
        null,
      );
      if (dec.usesIndex) p.insert(at, "let $i = -1;");
      rethrow(dec.usesIndex);
    },
    "},",
  );
}
