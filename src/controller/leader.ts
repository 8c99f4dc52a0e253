/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection: candidates
 * race to write their identity into the Lease (compare-and-swap on resourceVersion); the holder
 * renews it every `renewIntervalMs`; others take it over once it has gone unrenewed for its
 * `leaseDurationSeconds`, measured on their own clock from when they last saw it change. The
 * leader releases the Lease on `stop`, so a successor takes over at once.
 */
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { silentLogger } from '../log/index.ts';
import { sleep } from './sleep.ts';

/** Options for {@link LeaderElector}. */
export interface LeaderElectorOptions {
  client: Client;
  /** Where the Lease lives, e.g. `kube-system` / `flotilla-scheduler`. */
  namespace: string;
  name: string;
  /** This candidate's unique identity (hostname + pid, pod name…). */
  identity: string;
  /** How long a lease lasts unrenewed; default 15 s (whole seconds on the wire). */
  leaseDurationMs?: number;
  /** How often the leader renews; default 2 s. */
  renewIntervalMs?: number;
  /** The leader gives up when it could not renew for this long; default 10 s. */
  renewDeadlineMs?: number;
  /** How often a follower retries acquiring; default 2 s. */
  retryPeriodMs?: number;
  /** Called on becoming leader; `signal` aborts when leadership ends. Must not block the caller. */
  onStartedLeading?: (signal: AbortSignal) => void;
  /** Called when leadership ends (lost or released). */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(d = new Date()): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

/** One candidate in a Lease-based election; `start` it, `stop` it to release leadership. */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #durationS: number;
  #run: Promise<void> | undefined;
  #leading: AbortController | undefined;
  #observed = { holder: '', renew: '', at: 0 };

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.#durationS = Math.max(1, Math.round((options.leaseDurationMs ?? 15_000) / 1000));
    this.#log = (options.logger ?? silentLogger()).child({ lease: `${options.namespace}/${options.name}` });
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean {
    return this.#leading !== undefined;
  }

  /** Begins campaigning in the background; returns at once. Idempotent. */
  start(): void {
    this.#run ??= this.#loop();
  }

  /** Stops campaigning; a leader releases the lease. Resolves once done. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#run;
    if (this.#leading) {
      await this.#release();
      this.#stepDown();
    }
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let lastRenew = 0;
    while (!signal.aborted) {
      const ok = await this.#tryAcquireOrRenew();
      if (signal.aborted) break;
      if (ok) {
        lastRenew = Date.now();
        if (!this.#leading) {
          this.#leading = new AbortController();
          this.#log.info({ identity: this.#o.identity }, 'became leader');
          this.#o.onStartedLeading?.(this.#leading.signal);
        }
      } else if (this.#leading && Date.now() - lastRenew > (this.#o.renewDeadlineMs ?? 10_000)) {
        this.#log.warn('could not renew the lease in time; stepping down');
        this.#stepDown();
      }
      await sleep(
        this.#leading ? (this.#o.renewIntervalMs ?? 2000) : (this.#o.retryPeriodMs ?? 2000),
        signal,
      );
    }
  }

  #stepDown(): void {
    const leading = this.#leading;
    if (!leading) return;
    this.#leading = undefined;
    leading.abort();
    this.#o.onStoppedLeading?.();
  }

  #observe(spec: LeaseSpec): void {
    const holder = spec.holderIdentity ?? '';
    const renew = spec.renewTime ?? '';
    if (holder === this.#observed.holder && renew === this.#observed.renew) return;
    if (holder !== this.#observed.holder && holder !== '') this.#o.onNewLeader?.(holder);
    this.#observed = { holder, renew, at: Date.now() };
  }

  /** One attempt; false on contention, a live foreign holder, or any API error (logged). */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.#o;
    const now = microTime();
    const mine: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.#durationS,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      let lease: KubeObject;
      try {
        lease = await client.get(resources.leases, { namespace, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { namespace, name },
          spec: mine,
        };
        await client.create(resources.leases, lease);
        this.#observe(mine);
        return true;
      }
      const spec: LeaseSpec = lease.spec ?? {};
      this.#observe(spec);
      const holder = spec.holderIdentity ?? '';
      const expiresAt = this.#observed.at + (spec.leaseDurationSeconds ?? this.#durationS) * 1000;
      if (holder !== '' && holder !== identity && Date.now() < expiresAt) return false;
      const next: LeaseSpec =
        holder === identity
          ? { ...spec, leaseDurationSeconds: this.#durationS, renewTime: now }
          : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      const updated = await client.update(resources.leases, { ...lease, spec: next });
      this.#observe(updated.spec ?? next);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.#log.warn({ err }, 'lease acquire/renew failed');
      return false;
    }
  }

  /** Clears the holder so a follower need not wait out the lease; best effort. */
  async #release(): Promise<void> {
    const { client, namespace, name, identity } = this.#o;
    try {
      const lease = await client.get(resources.leases, { namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      const spec: LeaseSpec = { ...lease.spec, leaseDurationSeconds: 1, renewTime: microTime() };
      delete spec.holderIdentity;
      await client.update(resources.leases, { ...lease, spec });
    } catch (err) {
      this.#log.warn({ err }, 'could not release the lease');
    }
  }
}
