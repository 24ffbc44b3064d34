/**
 * The compiler's only window on the outside world: reading the files it is given and those they
 * `#include`. The CLI passes a host over `node:fs`; tests pass an in-memory one. Paths are POSIX
 * style strings; the helpers below resolve them without `node:path`, so the compiler stays pure.
 */

/** File access for the compiler. */
export interface CompilerHost {
  /** The file's text, or `undefined` if it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
}

/** A host over a fixed set of files (tests, playgrounds). */
export function memoryHost(files: Readonly<Record<string, string>>): CompilerHost {
  return { readFile: (path) => files[normalizePath(path)] ?? files[path] };
}

/** The folder part of a path (`a/b.x` → `a`, `b.x` → `.`). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/** The last part of a path (`a/b.x` → `b.x`). */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins and normalises (`a/./b/../c` → `a/c`); an absolute second part wins. */
export function joinPath(base: string, rel: string): string {
  return normalizePath(rel.startsWith("/") ? rel : `${base}/${rel}`);
}

/** Removes `.` and `x/..` segments and doubled slashes. */
export function normalizePath(path: string): string {
  const abs = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (seg === ".." && abs) continue;
    else out.push(seg);
  }
  const joined = out.join("/");
  return abs ? `/${joined}` : joined === "" ? "." : joined;
}

/** The path of `to` relative to the folder `fromDir`, always starting with `./` or `../`. */
export function relativePath(fromDir: string, to: string): string {
  const a = normalizePath(fromDir)
    .split("/")
    .filter((s) => s !== "" && s !== ".");
  const b = normalizePath(to)
    .split("/")
    .filter((s) => s !== "" && s !== ".");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const up = a.slice(i).map(() => "..");
  const rel = [...up, ...b.slice(i)].join("/");
  return up.length > 0 ? rel : `./${rel}`;
}
