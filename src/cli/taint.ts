/**
 * `flotilla taint CLUSTER key[=value]:Effect… [key[:Effect]-…] [--overwrite]`: add, replace and
 * remove a Cluster's taints as `karmadactl taint` (and `kubectl taint`) do. Parsing and the
 * taint arithmetic are pure (`parseTaintSpecs`, `applyTaintChange`); `runTaint` reads the
 * Cluster, applies the change and writes it back, retrying on 409 Conflict. NoExecute taints get
 * `timeAdded`, from which the taint manager counts tolerationSeconds.
 */
import { isConflict, isNotFound } from '../api/errors.ts';
import type { Cluster, Taint } from '../api/karmada/types.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { CliError, UsageError } from './errors.ts';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
type Effect = (typeof EFFECTS)[number];

/** What one `flotilla taint` asks for: taints to add (or replace) and taints to remove. */
export interface TaintChange {
  add: Taint[];
  /** A removal matches by key, and by effect when one is given. */
  remove: Array<{ key: string; effect?: Effect }>;
}

// A qualified name: optional DNS-subdomain prefix and '/', then a name of at most 63 characters.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, spec: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const ok =
    name.length <= 63 &&
    NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix)));
  if (!ok) {
    throw new UsageError(
      `invalid taint spec "${spec}": key "${key}" must be a qualified name (letters, digits, '-', '_', '.', at most 63, with an optional DNS prefix and '/')`,
    );
  }
}

function checkEffect(effect: string, spec: string): Effect {
  if (!(EFFECTS as readonly string[]).includes(effect)) {
    throw new UsageError(
      `invalid taint spec "${spec}": effect "${effect}" is not supported (NoSchedule, PreferNoSchedule or NoExecute)`,
    );
  }
  return effect as Effect;
}

/**
 * Parses taint arguments: `key=value:Effect` or `key:Effect` adds; `key:Effect-` or `key-`
 * removes. Throws `UsageError` naming the bad spec. NoExecute taints get `timeAdded = now`.
 */
export function parseTaintSpecs(specs: readonly string[], now = new Date()): TaintChange {
  const change: TaintChange = { add: [], remove: [] };
  if (specs.length === 0)
    throw new UsageError('taint needs at least one taint: key[=value]:Effect or key[:Effect]-');
  const timeAdded = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const spec of specs) {
    if (spec.endsWith('-')) {
      const body = spec.slice(0, -1);
      const colon = body.indexOf(':');
      // `key=value:Effect-` names the taint as it was added; removal matches key and effect only.
      const kv = colon >= 0 ? body.slice(0, colon) : body;
      const key = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
      checkKey(key, spec);
      if (colon >= 0) change.remove.push({ key, effect: checkEffect(body.slice(colon + 1), spec) });
      else change.remove.push({ key });
      continue;
    }
    const colon = spec.lastIndexOf(':');
    if (colon < 0) {
      throw new UsageError(
        `invalid taint spec "${spec}": expected key[=value]:Effect, or key[:Effect]- to remove`,
      );
    }
    const effect = checkEffect(spec.slice(colon + 1), spec);
    const kv = spec.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = eq >= 0 ? kv.slice(0, eq) : kv;
    const value = eq >= 0 ? kv.slice(eq + 1) : '';
    checkKey(key, spec);
    if (value.length > 63 || !VALUE.test(value)) {
      throw new UsageError(
        `invalid taint spec "${spec}": value "${value}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric`,
      );
    }
    if (change.add.some((t) => t.key === key && t.effect === effect)) {
      throw new UsageError(`duplicated taints with the same key and effect: ${key}:${effect}`);
    }
    change.add.push({
      key,
      ...(value ? { value } : {}),
      effect,
      ...(effect === 'NoExecute' ? { timeAdded } : {}),
    });
  }
  const both = change.add.filter((a) =>
    change.remove.some((r) => r.key === a.key && (r.effect === undefined || r.effect === a.effect)),
  );
  if (both.length > 0) {
    throw new UsageError(
      `can not both modify and remove the following taint(s) in one command: ${both.map((t) => `${t.key}:${t.effect}`).join(', ')}`,
    );
  }
  return change;
}

/** How a taint change went, as kubectl words it. */
export type TaintOutcome = 'tainted' | 'untainted' | 'modified';

/**
 * Applies a change to a cluster's taints. Throws `CliError` when an added taint already exists
 * with the same key and effect and `overwrite` is false, or when a removal matches nothing.
 */
export function applyTaintChange(
  cluster: string,
  current: readonly Taint[],
  change: TaintChange,
  overwrite: boolean,
): { taints: Taint[]; outcome: TaintOutcome } {
  const clash = change.add.filter((a) => current.some((t) => t.key === a.key && t.effect === a.effect));
  if (clash.length > 0 && !overwrite) {
    throw new CliError(
      `cluster ${cluster} already has ${clash.map((t) => t.key).join(', ')} taint(s) with same effect(s) and --overwrite is false`,
    );
  }
  let taints = current.map((t) => change.add.find((a) => a.key === t.key && a.effect === t.effect) ?? t);
  for (const a of change.add)
    if (!current.some((t) => t.key === a.key && t.effect === a.effect)) taints.push(a);
  for (const r of change.remove) {
    const kept = taints.filter(
      (t) => !(t.key === r.key && (r.effect === undefined || t.effect === r.effect)),
    );
    if (kept.length === taints.length) {
      throw new CliError(`taint "${r.key}${r.effect ? `:${r.effect}` : ''}" not found on cluster ${cluster}`);
    }
    taints = kept;
  }
  const outcome: TaintOutcome =
    (change.add.length > 0 && change.remove.length > 0) || clash.length > 0
      ? 'modified'
      : change.add.length > 0
        ? 'tainted'
        : 'untainted';
  return { taints, outcome };
}

/**
 * Reads Cluster `name`, lets `mutate` compute its next taints (undefined: leave it), and writes
 * them back; retries on 409 Conflict. Throws `CliError` when the Cluster does not exist.
 */
export async function updateClusterTaints<T>(
  client: Client,
  name: string,
  mutate: (cluster: Cluster) => { taints: Taint[] | undefined; result: T },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let cluster: Cluster;
    try {
      cluster = await client.get<Cluster>(resources.clusters, { name });
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`cluster "${name}" not found`);
      throw err;
    }
    const { taints, result } = mutate(cluster);
    if (taints === undefined) return result;
    const next = structuredClone(cluster);
    if (taints.length > 0) next.spec.taints = taints;
    else delete next.spec.taints;
    try {
      await client.update(resources.clusters, next);
      return result;
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
    }
  }
}

/** `flotilla taint`: resolves with the line to print (`cluster/NAME tainted`). */
export async function runTaint(client: Client, name: string, specs: readonly string[], overwrite: boolean) {
  const change = parseTaintSpecs(specs);
  const outcome = await updateClusterTaints(client, name, (cluster) => {
    const r = applyTaintChange(name, cluster.spec.taints ?? [], change, overwrite);
    return { taints: r.taints, result: r.outcome };
  });
  return `cluster/${name} ${outcome}`;
}
