/**
 * Benchmark helpers: timing, percentiles, bounded-concurrency loops, and the machine-readable
 * `BENCH <name> <value> <unit> [baseline=…] [ratio=…] [n=…]` lines of the architecture brief.
 */

export interface BenchContext {
  quick: boolean;
  /** Prints a human line. */
  log(line: string): void;
}

export interface Bench {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Prints one BENCH line; a baseline adds `baseline=` and `ratio=` (value / baseline). */
export function benchLine(
  name: string,
  value: number,
  unit: string,
  extra: { baseline?: number; n?: number } = {},
): void {
  let line = `BENCH ${name} ${fmt(value)} ${unit}`;
  if (extra.baseline !== undefined) {
    line += ` baseline=${fmt(extra.baseline)}`;
    if (extra.baseline !== 0) line += ` ratio=${(value / extra.baseline).toFixed(2)}`;
  }
  if (extra.n !== undefined) line += ` n=${extra.n}`;
  console.log(line);
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** The q-th percentile (0..1) of samples, in their unit. */
export function percentile(samples: number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

export interface LoopResult {
  /** operations per second */
  rate: number;
  /** per-operation latencies in milliseconds */
  latencies: number[];
  elapsedMs: number;
}

/** Runs `op(i)` for i in [0, n) with at most `concurrency` in flight; measures rate and latencies. */
export async function loop(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<LoopResult> {
  const latencies: number[] = new Array(n);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = performance.now();
      await op(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const elapsedMs = performance.now() - started;
  return { rate: (n / elapsedMs) * 1000, latencies, elapsedMs };
}

/** Prints rate and p50/p99 lines for a measured loop beside its baseline loop. */
export function reportLoop(
  name: string,
  measured: LoopResult,
  baseline: LoopResult | undefined,
  unit = 'ops/s',
): void {
  const n = measured.latencies.length;
  benchLine(`${name}.rate`, measured.rate, unit, { ...(baseline ? { baseline: baseline.rate } : {}), n });
  benchLine(`${name}.latency.p50`, percentile(measured.latencies, 0.5), 'ms', {
    ...(baseline ? { baseline: percentile(baseline.latencies, 0.5) } : {}),
    n,
  });
  benchLine(`${name}.latency.p99`, percentile(measured.latencies, 0.99), 'ms', {
    ...(baseline ? { baseline: percentile(baseline.latencies, 0.99) } : {}),
    n,
  });
}
