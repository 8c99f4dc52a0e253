/**
 * One reconcile pass of one Deployment: the ReplicaSets it owns (mutable copies, updated as the
 * pass writes them), and the writes a pass makes — finding or creating the new ReplicaSet,
 * scaling with events, and deleting history beyond `revisionHistoryLimit`.
 */
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import type { Condition, KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import { controllerRef, newControllerRef, setCondition, timestamp } from '../common/pods.ts';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH } from './hash.ts';
import {
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  maxReplicas,
  newRSNewReplicas,
  REVISION,
  revisionOf,
  specReplicas,
} from './math.ts';

/** Annotations a Deployment never copies onto its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS,
  MAX_REPLICAS,
]);

/** Thrown to requeue after a name collision bumped `status.collisionCount`. */
export class HashCollisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashCollisionError';
  }
}

/** Options for {@link DeploymentSync}. */
export interface DeploymentSyncOptions {
  client: Client;
  recorder: EventRecorder;
  deployment: KubeObject;
  /** The ReplicaSets the Deployment controls, from the cache. */
  replicaSets: readonly KubeObject[];
  /** Active pods per ReplicaSet uid, from the cache. */
  podCounts: ReadonlyMap<string, number>;
  now: number;
}

/** The state and writes of one pass; see the module comment. */
export class DeploymentSync {
  readonly d: KubeObject;
  readonly client: Client;
  readonly recorder: EventRecorder;
  readonly now: number;
  readonly podCounts: ReadonlyMap<string, number>;
  /** All owned ReplicaSets, oldest first; entries are replaced as they are written. */
  rsList: KubeObject[];
  newRS: KubeObject | undefined;
  /** Conditions to write with the status, starting from the Deployment's own. */
  conditions: Condition[];

  constructor(o: DeploymentSyncOptions) {
    this.d = structuredClone(o.deployment);
    this.client = o.client;
    this.recorder = o.recorder;
    this.now = o.now;
    this.podCounts = o.podCounts;
    const created = (rs: KubeObject) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
    this.rsList = o.replicaSets
      .map((rs) => structuredClone(rs))
      .sort(
        (a, b) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
      );
    this.newRS = this.rsList.find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
    this.conditions = structuredClone(this.d.status?.conditions ?? []);
  }

  /** Every owned ReplicaSet but the new one, oldest first. */
  get oldRSs(): KubeObject[] {
    return this.rsList.filter((rs) => rs !== this.newRS);
  }

  /** Pods of `rs` that may exist: the larger of its spec and its cached active pods. */
  podsOf(rs: KubeObject): number {
    return Math.max(specReplicas(rs), this.podCounts.get(rs.metadata.uid ?? '') ?? 0);
  }

  /** Available pods of `rs`, never more than it is scaled to (its status may lag a scale-down). */
  availableOf(rs: KubeObject | undefined): number {
    if (!rs) return 0;
    return Math.min(specReplicas(rs), Number(rs.status?.availableReplicas ?? 0));
  }

  /** Sets a Deployment condition for the status write. */
  setCondition(type: string, status: Condition['status'], reason: string, message: string): void {
    const at = timestamp(this.now);
    this.conditions = setCondition(this.conditions, {
      type,
      status,
      reason,
      message,
      lastUpdateTime: at,
      lastTransitionTime: at,
    });
  }

  /**
   * Finds the new ReplicaSet and brings its revision, replica annotations and minReadySeconds up
   * to date, or creates it when `create` is set. Resolves with it, or undefined.
   */
  async syncNewRS(create: boolean): Promise<KubeObject | undefined> {
    const maxOld = Math.max(0, ...this.oldRSs.map(revisionOf));
    const existing = this.newRS;
    if (existing) {
      const rs = structuredClone(existing);
      rs.metadata.annotations ??= {};
      const ann = rs.metadata.annotations;
      let changed = false;
      if (revisionOf(rs) <= maxOld) {
        ann[REVISION] = String(maxOld + 1);
        changed = true;
      }
      for (const [k, v] of Object.entries(this.#copiedAnnotations())) {
        if (ann[k] !== v) {
          ann[k] = v;
          changed = true;
        }
      }
      if (!ann[DESIRED_REPLICAS] || !ann[MAX_REPLICAS]) {
        ann[DESIRED_REPLICAS] = String(this.d.spec?.replicas ?? 1);
        ann[MAX_REPLICAS] = String(maxReplicas(this.d));
        changed = true;
      }
      const minReady = this.d.spec?.minReadySeconds ?? 0;
      if ((rs.spec.minReadySeconds ?? 0) !== minReady) {
        rs.spec.minReadySeconds = minReady;
        changed = true;
      }
      if (changed) this.#replace(existing, await this.client.update(resources.replicasets, rs));
      if (!this.conditions.some((c) => c.type === 'Progressing')) {
        this.setCondition(
          'Progressing',
          'True',
          'FoundNewReplicaSet',
          `Found new replica set "${rs.metadata.name}"`,
        );
      }
      return this.newRS;
    }
    if (!create) return undefined;
    return this.#createNewRS(maxOld + 1);
  }

  async #createNewRS(revision: number): Promise<KubeObject> {
    const d = this.d;
    const collisionCount = Number(d.status?.collisionCount ?? 0);
    const hash = computeHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const current = this.rsList.reduce((n, rs) => n + this.podsOf(rs), 0);
    const replicas = newRSNewReplicas(d, current, 0);
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace ?? 'default',
        labels: { ...template.metadata.labels },
        annotations: {
          ...this.#copiedAnnotations(),
          [REVISION]: String(revision),
          [DESIRED_REPLICAS]: String(d.spec?.replicas ?? 1),
          [MAX_REPLICAS]: String(maxReplicas(d)),
        },
        ownerReferences: [newControllerRef(d)],
      },
      spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    let created: KubeObject;
    try {
      created = await this.client.create(resources.replicasets, rs);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const other = await this.client.get(resources.replicasets, {
        name: rs.metadata.name ?? '',
        namespace: rs.metadata.namespace,
      });
      if (
        controllerRef(other)?.uid === d.metadata.uid &&
        equalIgnoreHash(other.spec?.template, d.spec.template)
      ) {
        this.rsList.push(other);
        this.newRS = other;
        return other;
      }
      const status = { ...(d.status ?? {}), collisionCount: collisionCount + 1 };
      await this.client.updateStatus(resources.deployments, { ...d, status });
      throw new HashCollisionError(
        `hash collision on replica set ${rs.metadata.name}; collisionCount is now ${collisionCount + 1}`,
      );
    }
    this.rsList.push(created);
    this.newRS = created;
    if (replicas > 0) this.#scaledEvent(created, 'up', 0, replicas);
    this.setCondition(
      'Progressing',
      'True',
      'NewReplicaSetCreated',
      `Created new replica set "${created.metadata.name}"`,
    );
    return created;
  }

  /** Scales `rs` to `replicas` (and refreshes its replica annotations); true when it wrote. */
  async scale(rs: KubeObject, replicas: number): Promise<boolean> {
    const want = Math.max(0, replicas);
    const desired = String(this.d.spec?.replicas ?? 1);
    const max = String(maxReplicas(this.d));
    const ann = rs.metadata.annotations ?? {};
    const from = specReplicas(rs);
    if (from === want && ann[DESIRED_REPLICAS] === desired && ann[MAX_REPLICAS] === max) return false;
    const copy = structuredClone(rs);
    copy.spec.replicas = want;
    copy.metadata.annotations = { ...ann, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    this.#replace(rs, await this.client.update(resources.replicasets, copy));
    if (from !== want) this.#scaledEvent(rs, want > from ? 'up' : 'down', from, want);
    return from !== want;
  }

  /** Deletes the oldest zero-replica ReplicaSets beyond `revisionHistoryLimit`. */
  async cleanup(): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = this.oldRSs
      .filter(
        (rs) =>
          specReplicas(rs) === 0 &&
          Number(rs.status?.replicas ?? 0) === 0 &&
          Number(rs.status?.observedGeneration ?? 0) >= Number(rs.metadata.generation ?? 0) &&
          !rs.metadata.deletionTimestamp,
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - Number(limit)))) {
      try {
        await this.client.delete(resources.replicasets, {
          name: rs.metadata.name ?? '',
          namespace: rs.metadata.namespace,
          preconditions: { uid: rs.metadata.uid ?? '' },
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.rsList = this.rsList.filter((r) => r !== rs);
    }
  }

  #replace(old: KubeObject, next: KubeObject): void {
    this.rsList = this.rsList.map((rs) => (rs === old ? next : rs));
    if (this.newRS === old) this.newRS = next;
  }

  #copiedAnnotations(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.d.metadata.annotations ?? {})) {
      if (!SKIP_ANNOTATIONS.has(k)) out[k] = String(v);
    }
    return out;
  }

  #scaledEvent(rs: KubeObject, dir: 'up' | 'down', from: number, to: number): void {
    this.recorder.event(this.d, {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${dir} replica set ${rs.metadata.name} from ${from} to ${to}`,
    });
  }
}
