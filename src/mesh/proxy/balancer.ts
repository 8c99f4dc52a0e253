/**
 * Load balancers over a cluster's hosts: LEAST_REQUEST (power of two choices, Envoy's default
 * choice count), ROUND_ROBIN, RANDOM, and consistent hashing on a ring (ringHash) or a Maglev
 * lookup table — both stable when unrelated hosts come and go.
 */

/** What a balancer needs from a host. */
export interface Balanced {
  /** Stable identity (`address:port`), hashed by consistent-hash balancers. */
  readonly key: string;
  /** Requests in flight to this host. */
  active: number;
  readonly weight: number;
}

/** Picks one host among `candidates` (non-empty); `hash` is set for consistent-hash balancers. */
export interface Balancer<H extends Balanced> {
  pick(candidates: readonly H[], hash: number | undefined, usable: (h: H) => boolean): H | undefined;
}

/** 32-bit FNV-1a of a string, mixed (murmur3 finaliser) for a good spread of nearby keys. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function firstUsable<H extends Balanced>(
  list: readonly H[],
  start: number,
  usable: (h: H) => boolean,
): H | undefined {
  for (let i = 0; i < list.length; i++) {
    const h = list[(start + i) % list.length] as H;
    if (usable(h)) return h;
  }
  return undefined;
}

/**
 * Envoy's LEAST_REQUEST: two choices, the one with fewer active requests (per weight) wins. The
 * first choice walks the hosts in rotation and the second is random, so idle hosts (a user
 * refreshing a page, one request at a time) are visited evenly instead of by coin toss — with
 * two random choices, 300 sequential requests over three versions leave one version outside
 * 27–39 % about 7 % of the time; under load the random second choice keeps P2C's behaviour.
 */
export function leastRequest<H extends Balanced>(): Balancer<H> {
  let next = 0;
  const sample = (c: readonly H[], usable: (h: H) => boolean, not: H): H | undefined => {
    for (let i = 0; i < 4; i++) {
      const h = c[Math.floor(Math.random() * c.length)] as H;
      if (h !== not && usable(h)) return h;
    }
    const ok = c.filter((h) => h !== not && usable(h));
    return ok[Math.floor(Math.random() * ok.length)];
  };
  return {
    pick(c, _hash, usable) {
      if (c.length === 1) return usable(c[0] as H) ? c[0] : undefined;
      const a = firstUsable(c, next % c.length, usable);
      if (!a) return undefined;
      next = (c.indexOf(a) + 1) % c.length;
      const b = sample(c, usable, a);
      if (!b) return a;
      return b.active / b.weight < a.active / a.weight ? b : a;
    },
  };
}

/** Round robin over usable hosts. */
export function roundRobin<H extends Balanced>(): Balancer<H> {
  let next = 0;
  return {
    pick(c, _hash, usable) {
      const h = firstUsable(c, next % Math.max(1, c.length), usable);
      if (h) next = (c.indexOf(h) + 1) % c.length;
      return h;
    },
  };
}

/** Uniform random over usable hosts. */
export function random<H extends Balanced>(): Balancer<H> {
  return {
    pick(c, _hash, usable) {
      const ok = c.filter(usable);
      return ok[Math.floor(Math.random() * ok.length)];
    },
  };
}

/** Ring hash: each host owns ⌈size/n⌉ points; a key goes to the next point clockwise. */
export function ringHash<H extends Balanced>(hosts: readonly H[], size: number): Balancer<H> {
  const per = Math.max(
    1,
    Math.ceil(Math.min(Math.max(size, hosts.length), 1 << 20) / Math.max(1, hosts.length)),
  );
  const points: Array<[number, number]> = [];
  hosts.forEach((h, i) => {
    for (let r = 0; r < per * h.weight; r++) points.push([hash32(`${h.key}_${r}`), i]);
  });
  points.sort((a, b) => a[0] - b[0]);
  const ring = new Uint32Array(points.map((p) => p[0]));
  const owner = new Int32Array(points.map((p) => p[1]));
  return {
    pick(c, hash, usable) {
      if (hash === undefined || ring.length === 0) return firstUsable(c, 0, usable);
      let lo = 0;
      let hi = ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((ring[mid] as number) < hash) lo = mid + 1;
        else hi = mid;
      }
      for (let i = 0; i < ring.length; i++) {
        const h = hosts[owner[(lo + i) % ring.length] as number] as H;
        if (usable(h)) return h;
      }
      return undefined;
    },
  };
}

/** Maglev: a lookup table of prime size filled from per-host permutations (Google's Maglev paper). */
export function maglev<H extends Balanced>(hosts: readonly H[], size: number): Balancer<H> {
  const m = nextPrime(Math.max(size, hosts.length * 7, 7));
  const table = new Int32Array(m).fill(-1);
  if (hosts.length > 0) {
    const offset = hosts.map((h) => hash32(`${h.key}#o`) % m);
    const skip = hosts.map((h) => (hash32(`${h.key}#s`) % (m - 1)) + 1);
    const next = new Array(hosts.length).fill(0);
    let filled = 0;
    while (filled < m) {
      for (let i = 0; i < hosts.length && filled < m; i++) {
        let c = ((offset[i] as number) + (next[i] as number) * (skip[i] as number)) % m;
        while (table[c] !== -1) {
          next[i]++;
          c = ((offset[i] as number) + (next[i] as number) * (skip[i] as number)) % m;
        }
        table[c] = i;
        next[i]++;
        filled++;
      }
    }
  }
  return {
    pick(c, hash, usable) {
      if (hash === undefined || hosts.length === 0) return firstUsable(c, 0, usable);
      for (let i = 0; i < m; i++) {
        const h = hosts[table[(hash + i) % m] as number] as H;
        if (usable(h)) return h;
      }
      return undefined;
    },
  };
}

function nextPrime(n: number): number {
  const isPrime = (x: number): boolean => {
    if (x < 2) return false;
    for (let d = 2; d * d <= x; d++) if (x % d === 0) return false;
    return true;
  };
  let x = n;
  while (!isPrime(x)) x++;
  return x;
}
