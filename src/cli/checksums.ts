/**
 * `lupine checksums`: the checksum study (docs/checksums.md) in one run. For every algorithm of
 * `src/checksum/` (and `zlib.crc32` for speed): MB/s on small, packet-sized and large buffers;
 * the undetected-error rate under random bit flips and bursts over many seeded trials; and the
 * bit-level facts of theory, checked exhaustively or by construction. One seeded PRNG drives
 * every random choice, so `--seed` replays a run exactly (speed aside).
 *
 * Exit code: 0 when every fact held, 1 when one did not, 2 for bad options.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { CHECKSUMS, type ChecksumAlgorithm, checksumByName } from "../checksum/index.js";
import { measureDetection } from "../checksum/study/detection.js";
import { type ErrorModel, modelLabel, parseModel } from "../checksum/study/errors.js";
import { checkFacts } from "../checksum/study/facts.js";
import { createSeededRandom, type SeededRandom } from "../checksum/study/prng.js";
import {
  detectionCell,
  renderFacts,
  renderTable,
  sizeLabel,
  speedTable,
  type Table,
} from "./checksums-report.js";
import {
  measureSpeed,
  NATIVE_CRC32C_NAME,
  nativeCrc32,
  type SpeedResult,
  speedSystems,
} from "./checksums-speed.js";

export const summary = "measure checksums: speed, undetected-error rates, bit-level facts";

const USAGE = `usage: lupine checksums [options]

  --seed N          PRNG seed (default 1); the same seed replays the same trials and facts
  --trials N        trials per algorithm, error model and message length (default 100000)
  --lengths L,...   message lengths in bytes for the error trials (default 64,1500)
  --models M,...    error models (default 1-bit,2-bit,3-bit,8-bit,burst-8,burst-16,burst-32,burst-33)
  --algorithms A,.. algorithms (default all: ${CHECKSUMS.map((a) => a.name).join(",")})
  --sizes S,...     buffer sizes in bytes for the speed runs (default 64,1500,65536,1048576)
  --rounds N        speed rounds, median reported (default 7)
  --round-ms N      milliseconds per speed round per system (default 150)
  --no-speed | --no-detection | --no-facts   skip a part
  --markdown        print Markdown tables (for docs/checksums.md)
  --quick           a smoke run: 2000 trials, short speed rounds, no 5-bit CRC search`;

const DEFAULT_MODELS = "1-bit,2-bit,3-bit,8-bit,burst-8,burst-16,burst-32,burst-33";

interface Options {
  seed: number;
  trials: number;
  lengths: number[];
  models: ErrorModel[];
  algorithms: ChecksumAlgorithm[];
  sizes: number[];
  rounds: number;
  roundMs: number;
  speed: boolean;
  detection: boolean;
  facts: boolean;
  markdown: boolean;
  quick: boolean;
}

function positiveInts(flag: string, text: string): number[] {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isSafeInteger(v) || v <= 0)) {
    throw new UsageError(`--${flag}: expected positive integers, got '${text}'`);
  }
  return values;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seed: { type: "string", default: "1" },
      trials: { type: "string" },
      lengths: { type: "string", default: "64,1500" },
      models: { type: "string", default: DEFAULT_MODELS },
      algorithms: { type: "string" },
      sizes: { type: "string", default: "64,1500,65536,1048576" },
      rounds: { type: "string" },
      "round-ms": { type: "string" },
      "no-speed": { type: "boolean", default: false },
      "no-detection": { type: "boolean", default: false },
      "no-facts": { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const quick = values.quick;
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed: '${values.seed}'`);
  const models = values.models.split(",").map((label) => {
    const model = parseModel(label.trim());
    if (model === undefined) throw new UsageError(`--models: unknown model '${label}'`);
    return model;
  });
  const algorithms =
    values.algorithms === undefined
      ? [...CHECKSUMS]
      : values.algorithms.split(",").map((name) => {
          const a = checksumByName(name.trim());
          if (a === undefined) throw new UsageError(`--algorithms: unknown algorithm '${name}'`);
          return a;
        });
  const one = (flag: string, text: string | undefined, fallback: number) =>
    text === undefined ? fallback : positiveInts(flag, text)[0]!;
  return {
    seed,
    trials: one("trials", values.trials, quick ? 2000 : 100_000),
    lengths: positiveInts("lengths", values.lengths),
    models,
    algorithms,
    sizes: positiveInts("sizes", values.sizes),
    rounds: one("rounds", values.rounds, quick ? 3 : 7),
    roundMs: one("round-ms", values["round-ms"], quick ? 20 : 150),
    speed: !values["no-speed"],
    detection: !values["no-detection"],
    facts: !values["no-facts"],
    markdown: values.markdown,
    quick,
  };
}

function section(title: string, body: string, markdown: boolean): string {
  return markdown ? `### ${title}\n\n${body}\n` : `${title}\n${body}\n`;
}

function detectionTables(options: Options, random: SeededRandom): string[] {
  const out: string[] = [];
  for (const length of options.lengths) {
    const rows: string[][] = [];
    for (const algorithm of options.algorithms) {
      const row: string[] = [algorithm.name];
      for (const model of options.models) {
        const frameBits = (length + algorithm.widthBits / 8) * 8;
        const fits =
          model.kind === "bits" ? model.count <= frameBits : model.lengthBits <= frameBits;
        if (!fits) {
          row.push("n/a");
          continue;
        }
        const r = measureDetection({
          algorithm,
          messageBytes: length,
          model,
          trials: options.trials,
          random,
        });
        row.push(detectionCell(r.undetected, r.trials));
      }
      rows.push(row);
      process.stderr.write(`  ${length} B: ${algorithm.name} done\n`);
    }
    const table: Table = { header: ["algorithm", ...options.models.map(modelLabel)], rows };
    out.push(
      section(
        `Undetected errors, ${length}-byte messages (${options.trials.toLocaleString("en-US")} trials per cell; rate (count), or 0 (<95% upper bound))`,
        renderTable(table, options.markdown),
        options.markdown,
      ),
    );
  }
  return out;
}

/** The native implementations timed the same buffers as ours: their values must agree. */
function crossCheck(results: readonly SpeedResult[]): boolean {
  const pairs = [
    [nativeCrc32()?.name, "crc32"],
    [NATIVE_CRC32C_NAME, "crc32c"],
  ] as const;
  let agree = true;
  for (const r of results) {
    const ourName = pairs.find(([native]) => native === r.system)?.[1];
    if (ourName === undefined) continue;
    const ours = results.find((o) => o.system === ourName && o.sizeBytes === r.sizeBytes);
    if (ours !== undefined && ours.value !== r.value) {
      console.error(
        `${ourName} ≠ ${r.system} on ${r.sizeBytes} bytes: ${ours.value} vs ${r.value}`,
      );
      agree = false;
    }
  }
  return agree;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"} (${cpu.length} cores), Node ${process.version}, ${load()}`;
}

/** The 1-minute load average: other work on the machine, which the speed figures suffer. */
function load(): string {
  return `load average ${loadavg()[0]!.toFixed(2)}`;
}

/** Runs the study; see {@link USAGE}. */
export async function main(argv: string[]): Promise<number> {
  let options: Options | "help";
  try {
    options = parseOptions(argv);
  } catch (e) {
    console.error(`lupine checksums: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const random = createSeededRandom(options.seed);
  const command = `lupine checksums ${argv.join(" ")}`.trim();
  console.log(
    options.markdown
      ? `Run: \`${command}\` (seed ${options.seed}) on ${machine()}.\n`
      : `${command}\nseed ${options.seed}; ${machine()}\n`,
  );
  let factsHold = true;
  if (options.facts) {
    process.stderr.write("checking facts...\n");
    const facts = checkFacts(
      {
        shortBytes: 64,
        longBytes: 1500,
        messages: options.quick ? 1 : 2,
        weight5: !options.quick,
        hdBoundaries: !options.quick,
      },
      random,
    );
    factsHold = facts.every((f) => f.holds);
    console.log(section("Bit-level facts", renderFacts(facts, options.markdown), options.markdown));
  }
  if (options.speed) {
    process.stderr.write("measuring speed...\n");
    const results = measureSpeed(speedSystems(options.algorithms), {
      sizes: options.sizes,
      rounds: options.rounds,
      roundMs: options.roundMs,
      fill: random.fill,
    });
    factsHold = crossCheck(results) && factsHold;
    const title = `Speed (MB/s, median of ${options.rounds} rounds; ratio to zlib.crc32 in brackets)`;
    const table = speedTable(results, nativeCrc32()?.name);
    console.log(section(title, renderTable(table, options.markdown), options.markdown));
    const after = `after the speed runs: ${load()}`;
    console.log(
      options.markdown
        ? `Sizes: ${options.sizes.map(sizeLabel).join(", ")}; ${after}.\n`
        : `sizes: ${options.sizes.map(sizeLabel).join(", ")}; ${after}\n`,
    );
  }
  if (options.detection) {
    process.stderr.write("measuring detection...\n");
    for (const text of detectionTables(options, random)) console.log(text);
  }
  if (!factsHold) console.error("lupine checksums: a check failed (see above)");
  return factsHold ? 0 : 1;
}
