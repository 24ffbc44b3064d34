/**
 * The chart of `docs/benchmarks.svg`, written by hand as SVG text (no charting dependency): for
 * each compared system, calls/s at each depth (bars, median of rounds, whiskers min–max), and
 * latency at each depth (p50 dot to p99 bar, log scale). Pure: a results object in, a string out.
 */
import { hasValue } from "../print.js";
import { type BenchResult, comparedSystems, depthsOf, figureOf } from "./model.js";

const WIDTH = 960;
const LABEL_X = 8;
const PLOT_X = 190;
const PLOT_RIGHT = WIDTH - 150;
const BAR = 9;
const BAND_GAP = 9;
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759"];
const FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";

/** Escapes text for SVG. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Short human numbers: 950, 41.0k, 1.20M. */
export function shortNumber(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${(n / 1e3).toPrecision(3)}k`;
  if (n >= 100) return String(Math.round(n));
  return n.toPrecision(3);
}

/** Microseconds for people: 38 µs, 1.2 ms, 15 ms, 230 ms, 3.4 s. */
export function shortMicros(us: number): string {
  const two = (n: number) => (n >= 10 ? String(Math.round(n)) : String(Number(n.toPrecision(2))));
  if (us >= 1e6) return `${two(us / 1e6)} s`;
  if (us >= 1e3) return `${two(us / 1e3)} ms`;
  return `${Math.round(us)} µs`;
}

/** A round step for about `target` linear ticks up to `max`. */
function niceStep(max: number, target: number): number {
  const raw = max / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${num(x)}" y="${num(y)}" ${attrs}>${esc(s)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, style: string): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" style="${style}"/>`;
}

interface Panel {
  readonly parts: string[];
  readonly height: number;
}

function legend(depths: readonly number[], y: number, extra: string): string {
  const items = depths.map((d, i) => {
    const x = PLOT_X + i * 150;
    return `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${COLORS[i % COLORS.length]}"/>${text(x + 17, y, `${d} in flight`, 'font-size="12"')}`;
  });
  return (
    items.join("") + text(PLOT_X + depths.length * 150, y, extra, 'font-size="12" fill="#555"')
  );
}

function systemLabels(systems: readonly string[], top: number, band: number): string[] {
  return systems.map((s, i) =>
    text(
      LABEL_X,
      top + i * band + band / 2 + 1,
      s,
      `font-size="13"${s.startsWith("lupine") ? ' font-weight="bold"' : ""} dominant-baseline="middle"`,
    ),
  );
}

function callsPanel(
  r: BenchResult,
  systems: readonly string[],
  depths: readonly number[],
  top: number,
): Panel {
  const band = depths.length * BAR + BAND_GAP;
  const rowsTop = top + 44;
  const values = r.rows.filter((x) => x.figure === "calls" && hasValue(x));
  const max = Math.max(1, ...values.map((x) => x.max ?? x.value));
  const step = niceStep(max, 6);
  const axisMax = Math.ceil(max / step) * step;
  const x = (v: number) => PLOT_X + ((PLOT_RIGHT - PLOT_X) * v) / axisMax;
  const bottom = rowsTop + systems.length * band;
  const parts = [
    text(
      LABEL_X,
      top + 14,
      "Calls per second (median of rounds; whiskers: min–max) — higher is better",
      'font-size="15" font-weight="bold"',
    ),
    legend(depths, top + 34, ""),
    ...systemLabels(systems, rowsTop, band),
  ];
  for (let t = 0; t <= axisMax + step / 2; t += step) {
    parts.push(line(x(t), rowsTop - 4, x(t), bottom, "stroke:#ddd;stroke-width:1"));
    parts.push(
      text(x(t), bottom + 16, shortNumber(t), 'font-size="11" text-anchor="middle" fill="#555"'),
    );
  }
  systems.forEach((s, i) => {
    depths.forEach((d, k) => {
      const y = rowsTop + i * band + k * BAR + BAND_GAP / 2;
      const row = figureOf(r.rows, s, "calls", d);
      if (row === undefined) {
        parts.push(text(PLOT_X + 4, y + BAR - 1, "n/a", 'font-size="9" fill="#999"'));
        return;
      }
      const color = COLORS[k % COLORS.length]!;
      parts.push(
        `<rect x="${PLOT_X}" y="${num(y)}" width="${num(Math.max(1, x(row.value) - PLOT_X))}" height="${BAR - 1}" fill="${color}"><title>${esc(`${s}, ${d} in flight: ${Math.round(row.value)} calls/s`)}</title></rect>`,
      );
      if (row.min !== undefined && row.max !== undefined && row.max > row.min) {
        const cy = y + (BAR - 1) / 2;
        parts.push(line(x(row.min), cy, x(row.max), cy, "stroke:#333;stroke-width:1"));
        parts.push(line(x(row.max), cy - 3, x(row.max), cy + 3, "stroke:#333;stroke-width:1"));
      }
      const end = Math.max(x(row.value), x(row.max ?? row.value));
      parts.push(text(end + 4, y + BAR - 1, shortNumber(row.value), 'font-size="10" fill="#333"'));
    });
  });
  parts.push(line(PLOT_X, rowsTop - 4, PLOT_X, bottom, "stroke:#888;stroke-width:1"));
  return { parts, height: bottom + 26 - top };
}

function latencyPanel(
  r: BenchResult,
  systems: readonly string[],
  depths: readonly number[],
  top: number,
): Panel {
  const band = depths.length * BAR + BAND_GAP;
  const rowsTop = top + 44;
  const values = r.rows.filter((x) => (x.figure === "p50" || x.figure === "p99") && hasValue(x));
  const lo =
    10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values.map((v) => v.value), 1e9))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...values.map((v) => v.value))));
  const x = (v: number) =>
    PLOT_X + ((PLOT_RIGHT - PLOT_X) * Math.log10(Math.max(v, lo) / lo)) / Math.log10(hi / lo);
  const bottom = rowsTop + systems.length * band;
  const parts = [
    text(
      LABEL_X,
      top + 14,
      "Latency per call, log scale (dot: p50, bar: p99; medians of rounds) — lower is better",
      'font-size="15" font-weight="bold"',
    ),
    legend(depths, top + 34, "●  p50   ▏ p99"),
    ...systemLabels(systems, rowsTop, band),
  ];
  for (let t = lo; t <= hi * 1.001; t *= 10) {
    parts.push(line(x(t), rowsTop - 4, x(t), bottom, "stroke:#ddd;stroke-width:1"));
    parts.push(
      text(x(t), bottom + 16, shortMicros(t), 'font-size="11" text-anchor="middle" fill="#555"'),
    );
  }
  systems.forEach((s, i) => {
    depths.forEach((d, k) => {
      const cy = rowsTop + i * band + k * BAR + BAND_GAP / 2 + (BAR - 1) / 2;
      const p50 = figureOf(r.rows, s, "p50", d);
      const p99 = figureOf(r.rows, s, "p99", d);
      if (p50 === undefined) {
        parts.push(text(PLOT_X + 4, cy + 3, "n/a", 'font-size="9" fill="#999"'));
        return;
      }
      const color = COLORS[k % COLORS.length]!;
      const title = `<title>${esc(`${s}, ${d} in flight: p50 ${shortMicros(p50.value)}${p99 === undefined ? "" : `, p99 ${shortMicros(p99.value)}`}`)}</title>`;
      if (p99 !== undefined) {
        parts.push(line(x(p50.value), cy, x(p99.value), cy, `stroke:${color};stroke-width:2`));
        parts.push(
          line(x(p99.value), cy - 4, x(p99.value), cy + 4, `stroke:${color};stroke-width:2`),
        );
      }
      parts.push(
        `<circle cx="${num(x(p50.value))}" cy="${num(cy)}" r="3.5" fill="${color}">${title}</circle>`,
      );
      const end = x((p99 ?? p50).value) + 5;
      const label =
        p99 === undefined
          ? shortMicros(p50.value)
          : `${shortMicros(p50.value)} / ${shortMicros(p99.value)}`;
      parts.push(text(end, cy + 3, label, 'font-size="10" fill="#333"'));
    });
  });
  parts.push(line(PLOT_X, rowsTop - 4, PLOT_X, bottom, "stroke:#888;stroke-width:1"));
  return { parts, height: bottom + 26 - top };
}

/** The chart of a run, as an SVG document. */
export function renderSvg(r: BenchResult): string {
  const systems = comparedSystems(r.rows).filter((s) =>
    r.rows.some((x) => x.system === s && x.figure === "calls"),
  );
  const depths = depthsOf(r.rows);
  const m = r.machine;
  const subtitle = `${m.cpuModel}, ${m.cores} cores · Node ${m.node} · load before ${m.loadBefore.map((l) => l.toFixed(2)).join(" ")} · ${r.date.slice(0, 16).replace("T", " ")} UTC · ${m.git.commit.slice(0, 10)}${m.git.dirty ? " (modified)" : ""}${r.quick ? " · QUICK SMOKE RUN, NOT A MEASUREMENT" : ""}`;
  const head = [
    text(
      LABEL_X,
      24,
      "Lupine beside raw sockets, grpc-js and rpcgen C: 32-byte echo calls over loopback",
      'font-size="18" font-weight="bold"',
    ),
    text(LABEL_X, 44, subtitle, 'font-size="12" fill="#555"'),
  ];
  const calls = callsPanel(r, systems, depths, 64);
  const latency = latencyPanel(r, systems, depths, 64 + calls.height + 20);
  const height = 64 + calls.height + 20 + latency.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" style="${FONT}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...head,
    ...calls.parts,
    ...latency.parts,
    "</svg>",
    "",
  ].join("\n");
}
