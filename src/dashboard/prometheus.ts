/**
 * A parser for Prometheus' text exposition format (version 0.0.4), the format the mesh serves on
 * `/stats/prometheus`: `# HELP` / `# TYPE` lines, comments, and samples
 * `name{label="value",…} value [timestamp]`. Pure; a malformed line is skipped and reported with
 * its line number, so one bad line never hides the rest of a scrape.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Milliseconds since the epoch, when the line carries a timestamp. */
  timestampMs?: number;
}

/** The samples of one scrape, the declared metric types, and the lines that did not parse. */
export interface Exposition {
  samples: Sample[];
  /** `# TYPE` declarations: metric name → counter, gauge, histogram, summary or untyped. */
  types: Record<string, string>;
  errors: { line: number; message: string }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** `NaN`, `+Inf`, `-Inf` or a Go float; undefined otherwise. */
function parseValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `line` at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const skipSpaces = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  for (;;) {
    skipSpaces();
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (!name) throw new Error(`expected a label name at column ${i + 1}`);
    i += name.length;
    skipSpaces();
    if (line[i] !== '=') throw new Error(`expected '=' after label ${name}`);
    i++;
    skipSpaces();
    if (line[i] !== '"') throw new Error(`expected '"' to open the value of label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    i++;
    if (name in labels) throw new Error(`label ${name} appears twice`);
    labels[name] = value;
    skipSpaces();
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected ',' or '}' after label ${name}`);
  }
}

/** Parses one sample line; throws an Error describing the first problem. */
function parseSample(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error('expected a metric name');
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i);
    labels = parsed.labels;
    i = parsed.end;
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new Error('expected a value');
  const value = parseValue(rest[0] ?? '');
  if (value === undefined) throw new Error(`"${rest[0]}" is not a number`);
  const sample: Sample = { name, labels, value };
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) throw new Error(`"${rest[1]}" is not a timestamp`);
    sample.timestampMs = Number(rest[1]);
  }
  return sample;
}

/** Parses a whole exposition body. Never throws. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: {}, errors: [] };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) out.types[m[1] ?? ''] = m[2] ?? 'untyped';
      continue;
    }
    try {
      out.samples.push(parseSample(line));
    } catch (err) {
      out.errors.push({ line: n + 1, message: (err as Error).message });
    }
  }
  return out;
}
