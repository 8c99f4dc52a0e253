/**
 * Pod IP allocation from one cluster's pod CIDR. Addresses whose last octet is 0 or 255 are never
 * handed out (some tools treat them as network or broadcast addresses), nor the CIDR's own network
 * and broadcast addresses, nor 127.0.0.1.
 */

/** Parses a dotted IPv4 address into an unsigned 32-bit number; undefined when malformed. */
export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Formats an unsigned 32-bit number as a dotted IPv4 address. */
export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** A parsed IPv4 CIDR: first and last address as numbers. */
export interface Cidr {
  readonly base: number;
  readonly bits: number;
  readonly first: number;
  readonly last: number;
}

/** Parses `a.b.c.d/n`; throws a TypeError naming the input when it is not an IPv4 CIDR. */
export function parseCidr(cidr: string): Cidr {
  const [addr, len, extra] = cidr.split('/');
  const base = addr === undefined ? undefined : parseIPv4(addr);
  const bits = Number(len);
  if (base === undefined || extra !== undefined || !/^\d{1,2}$/.test(len ?? '') || bits > 32) {
    throw new TypeError(`invalid IPv4 CIDR "${cidr}"`);
  }
  const size = 2 ** (32 - bits);
  const first = Math.floor(base / size) * size;
  return { base: first, bits, first, last: first + size - 1 };
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && n >= cidr.first && n <= cidr.last;
}

const LOCALHOST = parseIPv4('127.0.0.1');

/**
 * Hands out pod IPs from a CIDR, keyed by pod UID: the same UID always gets the same address
 * until released. Next-fit from a cursor, so a freed address is not reused at once. O(1) amortised.
 */
export class IpAllocator {
  readonly cidr: Cidr;
  readonly #byOwner = new Map<string, number>();
  readonly #used = new Set<number>();
  #cursor: number;

  /** Creates an allocator for `cidr` (e.g. `127.20.0.0/16`); throws TypeError for a malformed CIDR. */
  constructor(cidr: string) {
    this.cidr = parseCidr(cidr);
    this.#cursor = this.cidr.first;
  }

  /** How many addresses are handed out. */
  get size(): number {
    return this.#used.size;
  }

  /** The address held by `owner`, if any. */
  get(owner: string): string | undefined {
    const n = this.#byOwner.get(owner);
    return n === undefined ? undefined : formatIPv4(n);
  }

  /**
   * The address of `owner`, allocating one when it has none. `preferred` (e.g. the pod's previous
   * `status.podIP` after a restart) is used when it is in the CIDR, usable and free. Throws a
   * RangeError when the CIDR is exhausted.
   */
  allocate(owner: string, preferred?: string): string {
    const held = this.#byOwner.get(owner);
    if (held !== undefined) return formatIPv4(held);
    const want = preferred === undefined ? undefined : parseIPv4(preferred);
    if (want !== undefined && this.#usable(want) && !this.#used.has(want)) return this.#take(owner, want);
    const { first, last } = this.cidr;
    const span = last - first + 1;
    for (let i = 0; i < span; i++) {
      const n = first + ((this.#cursor - first + i) % span);
      if (this.#usable(n) && !this.#used.has(n)) {
        this.#cursor = n + 1 > last ? first : n + 1;
        return this.#take(owner, n);
      }
    }
    throw new RangeError(`pod CIDR ${formatIPv4(first)}/${this.cidr.bits} has no free addresses`);
  }

  /** Frees `owner`'s address; a no-op when it holds none. */
  release(owner: string): void {
    const n = this.#byOwner.get(owner);
    if (n === undefined) return;
    this.#byOwner.delete(owner);
    this.#used.delete(n);
  }

  #take(owner: string, n: number): string {
    this.#byOwner.set(owner, n);
    this.#used.add(n);
    return formatIPv4(n);
  }

  #usable(n: number): boolean {
    const { first, last, bits } = this.cidr;
    if (n < first || n > last || n === LOCALHOST) return false;
    if (bits < 31 && (n === first || n === last)) return false;
    const octet = n & 255;
    return octet !== 0 && octet !== 255;
  }
}
