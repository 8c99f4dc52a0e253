/**
 * Every flag of the `flotilla` CLI, declared once: syntax, description, default and a parser that
 * turns the raw string into a checked value or throws a one-line `UsageError`. Commands pick flags
 * from this table by name, so `--help` and the docs (`flagTable()`) come from the same source.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from './errors.ts';

/** Raw value as commander hands it over: a string, `true` for a boolean flag, or undefined. */
type Raw = string | boolean | undefined;

interface FlagSpec<T> {
  /** Commander syntax, e.g. `--port <number>`. */
  syntax: string;
  description: string;
  /** Raw default (shown in `--help`); absent when the default depends on the environment. */
  default?: string;
  parse(raw: Raw, flag: string): T;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function str(raw: Raw): string {
  return typeof raw === 'string' ? raw : '';
}

function port(raw: Raw, flag: string): number {
  const s = str(raw).trim();
  const n = /^\d{1,5}$/.test(s) ? Number(s) : Number.NaN;
  if (!(n >= 0 && n <= 65535))
    throw new UsageError(`${flag} must be a number between 0 and 65535, got "${str(raw)}"`);
  return n;
}

function names(raw: Raw, flag: string): string[] {
  const list = str(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of list) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      throw new UsageError(
        `${flag} takes cluster names (lowercase letters, digits and '-', at most 63), got "${name}"`,
      );
    }
  }
  const dup = list.find((name, i) => list.indexOf(name) !== i);
  if (dup !== undefined) throw new UsageError(`${flag} names "${dup}" twice`);
  return list;
}

function oneOf<const T extends string>(choices: readonly T[]) {
  return (raw: Raw, flag: string): T => {
    const s = str(raw);
    if (!(choices as readonly string[]).includes(s)) {
      throw new UsageError(`${flag} must be ${choices.join(' or ')}, got "${s}"`);
    }
    return s as T;
  };
}

function store(raw: Raw, flag: string): string {
  const s = str(raw).trim();
  if (s === 'sqlite' || s === 'memory' || /^(sqlite:\/\/.+|memory:\/\/|etcd:\/\/.+)$/.test(s)) return s;
  throw new UsageError(`${flag} must be sqlite, memory, sqlite://PATH or etcd://HOST:PORT, got "${s}"`);
}

function host(raw: Raw, flag: string): string {
  const s = str(raw).trim();
  if (isIP(s) || /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$/.test(s)) return s;
  throw new UsageError(`${flag} must be an IP address or host name, got "${s}"`);
}

function path(raw: Raw, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  const s = str(raw);
  if (s.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return s;
}

function bool(raw: Raw): boolean {
  return raw === true;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A Go-style duration (`500ms`, `30s`, `1m30s`, `2h`) in milliseconds. */
function duration(raw: Raw, flag: string): number {
  const s = str(raw).trim();
  if (s === '0') return 0;
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (s === '' || parts.map((p) => p[0]).join('') !== s)
    throw new UsageError(`${flag} must be a duration like 500ms, 30s or 1m30s, got "${s}"`);
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ''] ?? 0), 0));
}

/** The feature gates Flotilla knows, with its defaults (Failover is on, unlike Karmada). */
export const FEATURE_GATES = { Failover: true, GracefulEviction: true } as const;

/** `Name=true|false,…` over {@link FEATURE_GATES}, merged onto the defaults. */
function featureGates(raw: Raw, flag: string): Record<keyof typeof FEATURE_GATES, boolean> {
  const out: Record<keyof typeof FEATURE_GATES, boolean> = { ...FEATURE_GATES };
  for (const pair of str(raw)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [name = '', value = '', ...rest] = pair.split('=');
    if (!(name in FEATURE_GATES)) {
      throw new UsageError(
        `${flag}: unrecognized feature gate "${name}" (known: ${Object.keys(FEATURE_GATES).join(', ')})`,
      );
    }
    if (rest.length > 0 || !['true', 'false'].includes(value.toLowerCase())) {
      throw new UsageError(`${flag}: ${name} must be =true or =false, got "${pair}"`);
    }
    out[name as keyof typeof FEATURE_GATES] = value.toLowerCase() === 'true';
  }
  return out;
}

function rate(raw: Raw, flag: string): number {
  const s = str(raw).trim();
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
  if (!(n >= 0))
    throw new UsageError(`${flag} must be a number of evictions per second (0 or more), got "${s}"`);
  return n;
}

/** The flag table. Keys are commander's camel-cased attribute names. */
export const FLAGS = {
  stateDir: {
    syntax: '--state-dir <dir>',
    description:
      'directory for certificates, tokens, kubeconfigs, the store, log and pid file (default: .flotilla/ in the working directory, or $FLOTILLA_HOME)',
    parse: path,
  },
  store: {
    syntax: '--store <store>',
    description:
      'where the control plane keeps its objects: sqlite (DIR/store.db), memory, sqlite://PATH or etcd://HOST:PORT[,HOST:PORT][/prefix]',
    default: 'sqlite',
    parse: store,
  },
  host: {
    syntax: '--host <address>',
    description: 'address the API server listens on (also added to its certificate)',
    default: '127.0.0.1',
    parse: host,
  },
  port: {
    syntax: '--port <number>',
    description: 'API server port (0 picks a free one; the kubeconfig records the real one)',
    default: '5443',
    parse: port,
  },
  insecureHttp: {
    syntax: '--insecure-http',
    description:
      'serve plain HTTP without authentication and write no kubeconfig (tests only: kubectl sends no token over http)',
    parse: bool,
  },
  members: {
    syntax: '--members <names>',
    description: "comma-separated local member clusters to start ('' for the control plane alone)",
    default: 'member1,member2',
    parse: names,
  },
  pull: {
    syntax: '--pull <names>',
    description: 'members (of --members) that run in Pull mode through an agent',
    default: 'member2',
    parse: names,
  },
  gatewayPort: {
    syntax: '--gateway-port <number>',
    description: 'port of the ingress gateway (Gateway servers declared on port 80)',
    default: '8080',
    parse: port,
  },
  dashboardPort: {
    syntax: '--dashboard-port <number>',
    description:
      'port of the dashboard on 127.0.0.1 (when the default is taken, up picks a free one and prints it)',
    default: '8081',
    parse: port,
  },
  metricsUrl: {
    syntax: '--metrics-url <url>',
    description:
      "the mesh's Prometheus endpoint for the traffic view (default: the one flotilla up records in endpoints.json)",
    parse: (raw: Raw, flag: string) => {
      if (raw === undefined) return undefined;
      const s = str(raw).trim();
      if (!/^https?:\/\/[^\s/]+/.test(s)) throw new UsageError(`${flag} must be an http(s) URL, got "${s}"`);
      return s;
    },
  },
  meshPort: {
    syntax: '--mesh-port <number>',
    description:
      'port of the mesh controller, where the gateway and sidecars stream their configuration (a taken default moves to a free port)',
    default: '15010',
    parse: port,
  },
  meshUrl: {
    syntax: '--mesh-url <url>',
    description: 'URL of the mesh controller (default: the one DIR/endpoints.json records)',
    parse: (raw: Raw, flag: string) => {
      if (raw === undefined) return undefined;
      const s = str(raw).trim();
      if (!/^https?:\/\/[^\s/]+/.test(s)) throw new UsageError(`${flag} must be an http(s) URL, got "${s}"`);
      return s.replace(/\/+$/, '');
    },
  },
  runtime: {
    syntax: '--runtime <kind>',
    description: 'pod runtime of local clusters: process (real child processes) or simulated (no processes)',
    default: 'process',
    parse: oneOf(['process', 'simulated']),
  },
  demo: {
    syntax: '--demo <name>',
    description: 'apply a demo application once ready: bookinfo',
    parse: (raw: Raw, flag: string) => (raw === undefined ? undefined : oneOf(['bookinfo'])(raw, flag)),
  },
  name: {
    syntax: '--name <name>',
    description:
      'name of the local cluster (a DNS label): its context, kubeconfig DIR/<name>.config and state DIR/<name>/',
    parse: (raw: Raw, flag: string) => {
      const list = names(raw, flag);
      if (list.length !== 1) throw new UsageError(`${flag} takes one cluster name, got "${str(raw)}"`);
      return list[0] as string;
    },
  },
  index: {
    syntax: '--index <number>',
    description:
      'which loopback ranges the local cluster uses (pods 127.<10+i>.0.0/16, Services 127.<100+i>.0.0/16), 0-89 (default: from the number ending --name, e.g. member2 → 1)',
    parse: (raw: Raw, flag: string) => {
      if (raw === undefined) return undefined;
      const s = str(raw).trim();
      const n = /^\d{1,2}$/.test(s) ? Number(s) : Number.NaN;
      if (!(n >= 0 && n <= 89)) throw new UsageError(`${flag} must be a number between 0 and 89, got "${s}"`);
      return n;
    },
  },
  detach: {
    syntax: '--detach',
    description:
      'start in the background, return once ready (logs in DIR/flotilla.log; stop with flotilla down)',
    parse: bool,
  },
  kubeconfig: {
    syntax: '--kubeconfig <file>',
    description:
      'kubeconfig file (its current context): of the member cluster for join; of the control plane for controllers, explain, plan, taint, cordon and uncordon (default: DIR/karmada-apiserver.config)',
    parse: path,
  },
  provider: {
    syntax: '--provider <name>',
    description: 'cloud provider recorded on the joined Cluster (spec.provider)',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  region: {
    syntax: '--region <name>',
    description: 'region recorded on the joined Cluster (spec.region)',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  zones: {
    syntax: '--zones <list>',
    description: 'comma-separated failure zones recorded on the joined Cluster (spec.zones)',
    parse: (raw: Raw) =>
      str(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
  },
  namespace: {
    syntax: '-n, --namespace <namespace>',
    description: 'namespace of the object (default: default)',
    parse: (raw: Raw, flag: string) => {
      if (raw === undefined) return undefined;
      const s = str(raw).trim();
      if (!DNS_LABEL.test(s)) throw new UsageError(`${flag} must be a namespace name, got "${s}"`);
      return s;
    },
  },
  filename: {
    syntax: '-f, --filename <files...>',
    description: 'YAML files of templates, propagation policies and override policies (repeatable)',
    parse: (raw: Raw, flag: string): string[] => {
      const list = (Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw]).map(String);
      if (list.some((f) => f.trim() === '')) throw new UsageError(`${flag} must not be empty`);
      return list;
    },
  },
  featureGates: {
    syntax: '--feature-gates <gates>',
    description:
      'comma-separated Name=true|false: Failover (NoExecute taint eviction and application failover; default true) and GracefulEviction (keep an evicted copy until the new one is healthy; default true)',
    parse: featureGates,
  },
  clusterStatusUpdateFrequency: {
    syntax: '--cluster-status-update-frequency <duration>',
    description: 'how often the control plane probes each Push member (/readyz, then /healthz)',
    default: '10s',
    parse: duration,
  },
  clusterFailureThreshold: {
    syntax: '--cluster-failure-threshold <duration>',
    description: 'how long a failing probe must persist before a cluster turns Ready=False',
    default: '30s',
    parse: duration,
  },
  clusterSuccessThreshold: {
    syntax: '--cluster-success-threshold <duration>',
    description: 'how long a passing probe must persist before a cluster turns Ready=True again',
    default: '30s',
    parse: duration,
  },
  clusterMonitorPeriod: {
    syntax: '--cluster-monitor-period <duration>',
    description: "how often Pull clusters' heartbeats (Lease renewals, posted status) are checked",
    default: '5s',
    parse: duration,
  },
  clusterMonitorGracePeriod: {
    syntax: '--cluster-monitor-grace-period <duration>',
    description: 'heartbeat silence after which a Pull cluster turns Ready=Unknown',
    default: '40s',
    parse: duration,
  },
  clusterStartupGracePeriod: {
    syntax: '--cluster-startup-grace-period <duration>',
    description: 'the same for a Pull cluster that never posted its status',
    default: '60s',
    parse: duration,
  },
  resourceEvictionRate: {
    syntax: '--resource-eviction-rate <number>',
    description: 'NoExecute evictions per second (0: one per 30 minutes)',
    default: '0.5',
    parse: rate,
  },
  gracefulEvictionTimeout: {
    syntax: '--graceful-eviction-timeout <duration>',
    description: 'how long an evicted copy is kept at most while its replacement is not healthy',
    default: '10m',
    parse: duration,
  },
  overwrite: {
    syntax: '--overwrite',
    description: 'taint: replace a taint that has the same key and effect instead of refusing',
    parse: bool,
  },
  karmadaKubeconfig: {
    syntax: '--karmada-kubeconfig <file>',
    description:
      "kubeconfig of the control plane holding the agent's own credentials (flotilla register writes DIR/agent-<cluster>.config)",
    parse: path,
  },
  clusterName: {
    syntax: '--cluster-name <name>',
    description: 'name of the member cluster the agent registers (a DNS label)',
    parse: (raw: Raw, flag: string) => {
      if (raw === undefined) return undefined;
      const list = names(raw, flag);
      if (list.length !== 1) throw new UsageError(`${flag} takes one cluster name, got "${str(raw)}"`);
      return list[0] as string;
    },
  },
  clusterProvider: {
    syntax: '--cluster-provider <name>',
    description: 'cloud provider the agent records on its Cluster (spec.provider)',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  clusterRegion: {
    syntax: '--cluster-region <name>',
    description: 'region the agent records on its Cluster (spec.region)',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  clusterZones: {
    syntax: '--cluster-zones <list>',
    description: 'comma-separated failure zones the agent records on its Cluster (spec.zones)',
    parse: (raw: Raw) =>
      str(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
  },
  token: {
    syntax: '--token <token>',
    description: 'bootstrap token [a-z0-9]{6}.[a-z0-9]{16} (from flotilla token create)',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  discoveryTokenCaCertHash: {
    syntax: '--discovery-token-ca-cert-hash <sha256:hex>',
    description: "hash of the control plane's CA public key; register refuses a server whose CA differs",
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw).trim()),
  },
  discoveryTokenUnsafeSkipCaVerification: {
    syntax: '--discovery-token-unsafe-skip-ca-verification',
    description: "register without checking the control plane's CA against a hash (unsafe)",
    parse: bool,
  },
  ttl: {
    syntax: '--ttl <duration>',
    description: 'lifetime of the bootstrap token, e.g. 24h, 90m, 1h30m (0: never expires)',
    default: '24h',
    parse: duration,
  },
  description: {
    syntax: '--description <text>',
    description: 'a note stored with the bootstrap token',
    parse: (raw: Raw) => (raw === undefined ? undefined : str(raw)),
  },
  printRegisterCommand: {
    syntax: '--print-register-command',
    description: 'print the flotilla register command (server, token, CA hash) instead of the bare token',
    parse: bool,
  },
  writeOnly: {
    syntax: '--write-only',
    description:
      "only write the agent's kubeconfig and print the flotilla agent command, instead of running it",
    parse: bool,
  },
  labels: {
    syntax: '--labels <k=v,...>',
    description: 'comma-separated labels for the joined Cluster',
    parse: (raw: Raw, flag: string) => {
      const out: Record<string, string> = {};
      for (const pair of str(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`${flag} takes key=value pairs, got "${pair}"`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      return out;
    },
  },
} as const satisfies Record<string, FlagSpec<unknown>>;

/** A flag's name in the table. */
export type FlagName = keyof typeof FLAGS;

/** The parsed values of the named flags. */
export type FlagValues<K extends FlagName> = { [P in K]: ReturnType<(typeof FLAGS)[P]['parse']> };

/** Declares the named flags on a commander command, with descriptions and defaults from the table. */
export function addFlags(command: Command, flagNames: readonly FlagName[]): Command {
  for (const name of flagNames) {
    const spec: FlagSpec<unknown> = FLAGS[name];
    const option = new Option(spec.syntax, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    command.addOption(option);
  }
  return command;
}

/**
 * Parses the named flags of a command commander has parsed; throws `UsageError` on the first bad
 * value. `given` lists the flags the user wrote (as opposed to defaults).
 */
export function readFlags<K extends FlagName>(
  command: Command,
  flagNames: readonly K[],
): { values: FlagValues<K>; given: Set<K> } {
  const raw = command.opts<Record<string, Raw>>();
  const values = {} as Record<K, unknown>;
  const given = new Set<K>();
  for (const name of flagNames) {
    const spec: FlagSpec<unknown> = FLAGS[name];
    const display = spec.syntax.split(/[ ,]+/).find((t) => t.startsWith('--')) ?? name;
    values[name] = spec.parse(raw[name], display);
    if (command.getOptionValueSource(name) === 'cli') given.add(name);
  }
  return { values: values as FlagValues<K>, given };
}

/** The storage URL for a `--store` value: `sqlite` is DIR/store.db, `memory` is memory://. */
export function storeUrl(store: string, stateDir: string): string {
  if (store === 'sqlite') return `sqlite://${join(stateDir, 'store.db')}`;
  if (store === 'memory') return 'memory://';
  return store;
}

/** The flag table as Markdown rows (`| flag | default | description |`), for docs. */
export function flagTable(): string {
  const rows = Object.values(FLAGS).map(
    (spec: FlagSpec<unknown>) =>
      `| \`${spec.syntax}\` | ${spec.default === undefined ? '' : `\`${spec.default}\``} | ${spec.description} |`,
  );
  return ['| flag | default | description |', '|---|---|---|', ...rows].join('\n');
}
