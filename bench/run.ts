/**
 * `npm run bench [-- NAME…] [--quick]`: runs the benchmarks in bench/*.bench.ts (all, or those
 * whose name starts with one of the given names) and prints human lines plus BENCH lines.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bench } from './lib.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const dir = import.meta.dirname;
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const benches: Bench[] = [];
for (const f of files) {
  const mod = (await import(join(dir, f))) as { default: Bench };
  benches.push(mod.default);
}
const chosen = names.length === 0 ? benches : benches.filter((b) => names.some((n) => b.name.startsWith(n)));
if (chosen.length === 0) {
  console.error(
    `bench: no benchmark named ${names.join(', ')}; have: ${benches.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
for (const b of chosen) {
  console.log(`\n== ${b.name}: ${b.description}${quick ? ' (quick)' : ''}`);
  const t0 = performance.now();
  await b.run({ quick, log: (line) => console.log(`   ${line}`) });
  console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
process.exit(0);
