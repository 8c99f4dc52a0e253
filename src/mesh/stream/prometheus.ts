/**
 * Merging Prometheus text expositions (format 0.0.4) from several proxies into one: families
 * keep one `# HELP` / `# TYPE` header, samples with the same name and labels are summed (two
 * replicas of one workload report the same series; summing is what `sum without (pod)` would
 * give), everything else is kept in first-seen order. Pure and tolerant: a line it cannot read is
 * dropped, never fatal.
 */

interface Family {
  help?: string;
  type?: string;
  samples: Map<string, number>;
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

function familyOf(sample: string, current: string | undefined): string {
  if (current !== undefined) {
    if (sample === current) return current;
    for (const s of SUFFIXES) if (sample === current + s) return current;
  }
  return sample;
}

/** Splits `name{labels} value [timestamp]` into the series key (name plus labels) and the value. */
function parseSample(line: string): { series: string; name: string; value: number } | undefined {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  let seriesEnd: number;
  if (brace >= 0 && (space < 0 || brace < space)) {
    // Label values may contain spaces and braces inside quotes; find the closing brace outside quotes.
    let quoted = false;
    seriesEnd = -1;
    for (let i = brace + 1; i < line.length; i++) {
      const c = line[i];
      if (c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (c === '}' && !quoted) {
        seriesEnd = i + 1;
        break;
      }
    }
    if (seriesEnd < 0) return undefined;
  } else seriesEnd = space;
  if (seriesEnd <= 0) return undefined;
  const series = line.slice(0, seriesEnd);
  const name = brace >= 0 && brace < seriesEnd ? line.slice(0, brace) : series;
  const rest = line.slice(seriesEnd).trim().split(/\s+/);
  const raw = rest[0] ?? '';
  const value =
    raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
  if (raw === '' || (Number.isNaN(value) && raw !== 'NaN')) return undefined;
  return { series, name, value };
}

function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

/** Merges expositions into one text, summing identical series; see the file comment. */
export function mergePrometheus(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { samples: new Map() };
      families.set(name, f);
    }
    return f;
  };
  for (const text of texts) {
    let current: string | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (meta) {
        const [, what, name = '', rest = ''] = meta;
        current = name;
        const f = family(name);
        if (what === 'HELP') f.help ??= rest;
        else f.type ??= rest;
        continue;
      }
      if (line.startsWith('#')) continue;
      const sample = parseSample(line);
      if (!sample) continue;
      const f = family(familyOf(sample.name, current));
      f.samples.set(sample.series, (f.samples.get(sample.series) ?? 0) + sample.value);
    }
  }
  const out: string[] = [];
  for (const [name, f] of families) {
    if (f.samples.size === 0 && f.type === undefined) continue;
    if (f.help !== undefined) out.push(`# HELP ${name} ${f.help}`);
    if (f.type !== undefined) out.push(`# TYPE ${name} ${f.type}`);
    for (const [series, value] of f.samples) out.push(`${series} ${formatValue(value)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
