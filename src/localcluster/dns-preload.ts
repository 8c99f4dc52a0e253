/**
 * Cluster DNS for Node programs in a local cluster's pods, loaded with `node --import` through
 * `NODE_OPTIONS`. It patches `dns.lookup` and `dns.promises.lookup` (which `net`, `http` and
 * `fetch` resolve through) so that Service names resolve to their ClusterIPs from the hosts file
 * the local cluster keeps (`FLOTILLA_HOSTS_FILE`, `/etc/hosts` format), trying the pod's search
 * path (`FLOTILLA_DNS_SEARCH`, e.g. `default.svc.cluster.local svc.cluster.local cluster.local`)
 * as resolv.conf's `search` would; anything else goes to the real resolver. Self-contained: it
 * imports only Node built-ins, because it runs inside every pod process.
 */
import dns from 'node:dns';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: unknown, family?: number) => void;

const file = process.env.FLOTILLA_HOSTS_FILE ?? '';
const search = (process.env.FLOTILLA_DNS_SEARCH ?? '').split(/\s+/).filter((s) => s !== '');
let stamp = '';
let table = new Map<string, string>();

function load(): Map<string, string> {
  try {
    const st = fs.statSync(file);
    const next = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (next === stamp) return table;
    const map = new Map<string, string>();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (ip === undefined || ip === '') continue;
      for (const n of names) map.set(n.toLowerCase(), ip);
    }
    stamp = next;
    table = map;
  } catch {
    // no hosts file (yet): only the real resolver answers
  }
  return table;
}

/** The ClusterIP for `hostname` by the hosts file and search path, or undefined. */
function resolveLocal(hostname: unknown): string | undefined {
  if (typeof hostname !== 'string' || hostname === '' || file === '') return undefined;
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const hosts = load();
  if (hostname.endsWith('.')) return hosts.get(name);
  // resolv.conf's ndots:5: names with fewer dots try the search path first.
  const candidates = [...search.map((s) => `${name}.${s}`), name];
  for (const c of candidates) {
    const ip = hosts.get(c);
    if (ip !== undefined) return ip;
  }
  return undefined;
}

interface LookupOptions {
  family?: number | string;
  all?: boolean;
}

function normalise(options: unknown): LookupOptions {
  if (typeof options === 'number') return { family: options };
  return typeof options === 'object' && options !== null ? (options as LookupOptions) : {};
}

function wantsV6Only(o: LookupOptions): boolean {
  return o.family === 6 || o.family === 'IPv6';
}

const realLookup = dns.lookup;
const realPromiseLookup = dns.promises.lookup;

function lookup(hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
  const opts = typeof options === 'function' ? {} : normalise(options);
  const ip = wantsV6Only(opts) ? undefined : resolveLocal(hostname);
  if (ip === undefined) {
    // biome-ignore lint/suspicious/noExplicitAny: forwarding the caller's own arguments
    (realLookup as any).call(dns, hostname, options, callback);
    return;
  }
  process.nextTick(() => {
    if (opts.all === true) cb(null, [{ address: ip, family: 4 }]);
    else cb(null, ip, 4);
  });
}

async function promiseLookup(hostname: string, options?: unknown): Promise<unknown> {
  const opts = normalise(options);
  const ip = wantsV6Only(opts) ? undefined : resolveLocal(hostname);
  // biome-ignore lint/suspicious/noExplicitAny: forwarding the caller's own arguments
  if (ip === undefined) return (realPromiseLookup as any).call(dns.promises, hostname, options);
  return opts.all === true ? [{ address: ip, family: 4 }] : { address: ip, family: 4 };
}

// biome-ignore lint/suspicious/noExplicitAny: replacing a built-in's overloaded function
(dns as any).lookup = lookup;
// biome-ignore lint/suspicious/noExplicitAny: replacing a built-in's overloaded function
(dns.promises as any).lookup = promiseLookup;
syncBuiltinESMExports();
