#!/usr/bin/env node
/**
 * The `lupine` command. Each subcommand lives in its own module (`src/cli/<name>.ts`) exporting
 * `main(argv): Promise<number>` (the exit code) and `summary` (one line for `--help`); they are
 * loaded on demand so that `lupine gen` does not pay for the network stack.
 */
import { readFileSync } from "node:fs";

/** Subcommand name → module path (relative to this file) . */
const COMMANDS: Record<string, string> = {
  keygen: "./keygen.js",
  gen: "./gen.js",
  checksums: "./checksums.js",
  call: "./call.js",
  info: "./info.js",
  rpcbind: "./rpcbind.js",
  "serve-files": "./serve-files.js",
  send: "./send.js",
  fetch: "./fetch.js",
};

interface Subcommand {
  readonly summary: string;
  main(argv: string[]): Promise<number>;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

async function help(): Promise<void> {
  const lines = ["usage: lupine <command> [options]", "", "commands:"];
  for (const [name, path] of Object.entries(COMMANDS)) {
    const mod = (await import(path)) as Subcommand;
    lines.push(`  ${name.padEnd(12)} ${mod.summary}`);
  }
  lines.push(
    "",
    "lupine <command> --help shows a command's options; lupine --version its version.",
  );
  console.log(lines.join("\n"));
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await help();
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(version());
    return 0;
  }
  const path = COMMANDS[name];
  if (path === undefined) {
    console.error(`lupine: unknown command '${name}' (lupine --help lists them)`);
    return 2;
  }
  const mod = (await import(path)) as Subcommand;
  return mod.main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`lupine: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
