/**
 * Configuration plumbing for the services' `main.ts` entry points: each declares its environment
 * variables once (name, default, description) so `--help` and the README come from one table.
 * Only `main.ts` files read `process.env` and argv; libraries take option objects.
 */

/** One environment variable a service reads. */
export interface EnvVar {
  /** Variable name, e.g. `DETAILS_HOSTNAME`. */
  readonly name: string;
  /** Value used when unset; `undefined` means "unset stays unset". */
  readonly default?: string;
  /** One-line description for `--help`. */
  readonly description: string;
}

/** Reads every variable in `table` from `env`, applying defaults; unset ones without default are absent. */
export function readEnv(
  table: readonly EnvVar[],
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const v of table) out[v.name] = env[v.name] ?? v.default;
  return out;
}

/** Renders the `--help` text for a service from its usage line and variable table. */
export function usage(line: string, table: readonly EnvVar[]): string {
  const width = Math.max(...table.map((v) => v.name.length));
  const rows = table.map((v) => {
    const def = v.default === undefined ? '' : ` (default ${JSON.stringify(v.default)})`;
    return `  ${v.name.padEnd(width)}  ${v.description}${def}`;
  });
  return `usage: ${line}\n\nenvironment:\n${rows.join('\n')}\n`;
}

/** The bind address: `POD_IP` when set (each local pod has its own 127.x.y.z), else `0.0.0.0`. */
export function bindHost(env: Readonly<Record<string, string | undefined>>): string {
  const ip = env.POD_IP?.trim();
  return ip ? ip : '0.0.0.0';
}

/** Parses a TCP port (argv or env); throws on anything but an integer in 0..65535. */
export function parsePort(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new Error(`${what}: invalid port ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Builds an upstream base URL as the upstream services do:
 * `http://<hostname>[.<SERVICES_DOMAIN>]:<port>`.
 */
export function serviceBase(hostname: string, servicesDomain: string | undefined, port: string): string {
  const domain = servicesDomain ? `.${servicesDomain}` : '';
  return `http://${hostname}${domain}:${port}`;
}
