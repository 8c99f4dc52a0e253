/**
 * Durations as Istio accepts them (protobuf JSON `1.5s`, and Go-style `100ms`, `10m`, `1h`,
 * `1m30s`), in milliseconds.
 */

const UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;

/** Parses a duration into milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text * 1000;
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * (UNITS[m[2] as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}
