/**
 * The dependencies distributor (Karmada §4.8, K:pkg/dependenciesdistributor): for every
 * ResourceBinding with `spec.propagateDeps`, the ConfigMaps, Secrets, ServiceAccounts and
 * PersistentVolumeClaims its workload references follow it to its clusters. The dependency list
 * is recorded in the binding's `resourcebinding.karmada.io/dependencies` annotation; each
 * dependency gets an attached binding (`<name>-<kind>`, placement unset) whose `spec.requiredBy`
 * names the requiring binding and its clusters, and the binding controller deploys it to the
 * union of those clusters. A dependency that a policy already placed has the requirement merged
 * into its own binding. Dependencies dropped from the workload, and every dependency of a
 * binding deleted or no longer propagating them, are released; an attached binding nothing
 * requires is deleted. Keys are the requiring binding's `namespace/name`.
 */
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { bindingName } from '../../api/karmada/names.ts';
import type { ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { Discovery } from '../../client/discovery.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { Controller, type Result } from '../../controller/reconciler.ts';
import { splitKey } from '../../controller/store.ts';
import { atLeastVersion } from '../common/resource-version.ts';
import {
  DEPENDED_BY_PREFIX,
  DEPENDENCIES_ANNOTATION,
  dependedByLabelKey,
  dependenciesAnnotation,
  desiredAttached,
  isStillRequired,
  recordedDependencies,
  releasedAttached,
} from './attached.ts';
import {
  type DependentObjectReference,
  dependenciesOf,
  dependencyKey,
  hasDependencyInterpreter,
} from './extract.ts';

const BY_DEPENDENCY = 'dependency';
const BY_REQUIRER = 'dependedBy';

/** The kinds a workload can depend on, watched so a dependency created late is still carried. */
const DEPENDENCY_KINDS: readonly ResourceRef[] = [
  resources.configmaps,
  resources.secrets,
  resources.serviceaccounts,
  Object.freeze({
    group: '',
    version: 'v1',
    resource: 'persistentvolumeclaims',
    namespaced: true,
    kind: 'PersistentVolumeClaim',
  }),
];

/** Options for {@link newDependenciesDistributor}. */
export interface DependenciesDistributorOptions {
  client: Client;
  /** The shared factory; the caller starts it. */
  factory: InformerFactory;
  logger?: Logger | undefined;
  events?: EventRecorder | undefined;
  /** Concurrent reconciles; default 2 (Karmada's). */
  workers?: number | undefined;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Builds the distributor on the shared factory; the caller starts factory and controller. */
export function newDependenciesDistributor(options: DependenciesDistributorOptions): Controller {
  const { client, factory, events } = options;
  const discovery = new Discovery({ client });
  const rbs = factory.informer<ResourceBinding>(resources.resourcebindings);
  rbs.addIndex(BY_DEPENDENCY, (b) => recordedDependencies(b).map(dependencyKey));
  rbs.addIndex(BY_REQUIRER, (b) =>
    Object.keys(b.metadata.labels ?? {}).filter((k) => k.startsWith(DEPENDED_BY_PREFIX)),
  );
  const dependencyInformers = DEPENDENCY_KINDS.map((ref) => factory.informer(ref));
  const lookup = (namespace: string, name: string) =>
    rbs.store.get(namespace ? `${namespace}/${name}` : name);

  /**
   * An object by reference: from a synced shared cache (when at least `r.resourceVersion`, the
   * version a binding was built from), else from the server; undefined when gone.
   */
  async function fetchObject(r: {
    apiVersion: string;
    kind: string;
    namespace?: string | undefined;
    name: string;
    resourceVersion?: string | undefined;
  }): Promise<KubeObject | undefined> {
    const ref = await discovery.resolve({ apiVersion: r.apiVersion, kind: r.kind });
    const informer = factory.informer(ref);
    const key = r.namespace ? `${r.namespace}/${r.name}` : r.name;
    if (informer.hasSynced()) {
      const cached = informer.store.get(key);
      if (cached && atLeastVersion(cached.metadata.resourceVersion, r.resourceVersion)) return cached;
    }
    try {
      return await client.get(ref, { name: r.name, namespace: r.namespace || undefined });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function recordDependencies(
    binding: ResourceBinding,
    deps: DependentObjectReference[],
  ): Promise<boolean> {
    const value = dependenciesAnnotation(deps);
    if (binding.metadata.annotations?.[DEPENDENCIES_ANNOTATION] === value) return false;
    const copy = structuredClone(binding);
    copy.metadata.annotations = { ...copy.metadata.annotations, [DEPENDENCIES_ANNOTATION]: value };
    await client.update(resources.resourcebindings, copy);
    return true;
  }

  /** Releases `attached` from requirer `namespace/name`; true when something was written. */
  async function release(
    namespace: string,
    name: string,
    attached: readonly ResourceBinding[],
  ): Promise<boolean> {
    let changed = false;
    for (const a of attached) {
      const next = releasedAttached(a, namespace, name, lookup);
      if (next === undefined) continue;
      changed = true;
      if (next === 'delete') {
        await ignoreNotFound(
          client.delete(resources.resourcebindings, {
            name: a.metadata.name ?? '',
            namespace: a.metadata.namespace,
          }),
        );
      } else {
        await ignoreNotFound(client.update(resources.resourcebindings, next));
      }
    }
    return changed;
  }

  /** Creates or updates the attached binding of one dependency; true when something was written. */
  async function attach(parent: ResourceBinding, dependency: KubeObject): Promise<boolean> {
    const key = `${dependency.metadata.namespace}/${bindingName(dependency.kind, dependency.metadata.name ?? '')}`;
    const existing = rbs.store.get(key);
    const desired = desiredAttached({ parent, dependency, existing, lookup });
    if (!desired) return false;
    if (existing) {
      await client.update(resources.resourcebindings, desired);
      return true;
    }
    try {
      await client.create(resources.resourcebindings, desired);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // The bindings cache lags behind a binding created a moment ago: merge into the fresh one.
      const { namespace, name } = splitKey(key);
      const fresh = await client.get<ResourceBinding>(resources.resourcebindings, { name, namespace });
      const merged = desiredAttached({ parent, dependency, existing: fresh, lookup });
      if (merged) await client.update(resources.resourcebindings, merged);
    }
    return true;
  }

  async function reconcile(key: string): Promise<Result | undefined> {
    const { namespace, name } = splitKey(key);
    const binding = rbs.store.get(key);
    const attached = rbs.store.byIndex(BY_REQUIRER, dependedByLabelKey(namespace, name));
    if (!binding || binding.metadata.deletionTimestamp || !binding.spec.propagateDeps) {
      await release(namespace, name, attached);
      return undefined;
    }
    const workload = await fetchObject(binding.spec.resource);
    if (!workload) return undefined; // the binding follows its template into garbage collection
    if (!hasDependencyInterpreter(workload)) return undefined;
    const deps = dependenciesOf(workload);
    try {
      let changed = await recordDependencies(binding, deps);
      if (changed) {
        events?.event(workload, {
          type: 'Normal',
          reason: 'GetDependenciesSucceed',
          message: `Get dependencies(${deps.map((d) => `${d.kind}/${d.name}`).join(', ')}) succeed.`,
        });
      }
      const orphans = attached.filter((a) => !isStillRequired(a, deps));
      if (await release(namespace, name, orphans)) changed = true;
      for (const dep of deps) {
        const obj = await fetchObject(dep);
        if (obj && (await attach(binding, obj))) changed = true;
      }
      if (changed) {
        events?.event(binding, {
          type: 'Normal',
          reason: 'SyncScheduleResultToDependenciesSucceed',
          message: 'Sync schedule results to dependencies succeed.',
        });
      }
    } catch (err) {
      events?.event(binding, {
        type: 'Warning',
        reason: 'SyncScheduleResultToDependenciesFailed',
        message: (err as Error).message,
      });
      throw err;
    }
    return undefined;
  }

  const controller = new Controller({
    name: 'dependencies-distributor',
    reconcile,
    workers: options.workers ?? 2,
    informers: [rbs, ...dependencyInformers],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  rbs.addHandlers({
    onAdd: (b) => {
      if (b.spec.propagateDeps) controller.enqueue(b);
      // An attached binding names its requirers: one deleted while we were down is released.
      for (const r of b.spec.requiredBy ?? []) {
        if (lookup(r.namespace ?? '', r.name) === undefined)
          controller.enqueue(`${r.namespace ?? ''}/${r.name}`);
      }
    },
    onUpdate: (old, cur) => {
      if (!old.spec.propagateDeps && !cur.spec.propagateDeps) return;
      if (
        old.spec.propagateDeps !== cur.spec.propagateDeps ||
        (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp)
      ) {
        controller.enqueue(cur);
        return;
      }
      if (old.metadata.generation === cur.metadata.generation) return;
      if ((old.spec.clusters ?? []).length === 0 && (cur.spec.clusters ?? []).length === 0) return;
      controller.enqueue(cur);
    },
    onDelete: (b) => {
      if (b.spec.propagateDeps) controller.enqueue(b);
    },
  });
  const requirersOf = (obj: KubeObject) => {
    const key = dependencyKey({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name ?? '',
    });
    for (const b of rbs.store.byIndex(BY_DEPENDENCY, key)) controller.enqueue(b);
  };
  for (const i of dependencyInformers as Informer<KubeObject>[]) {
    i.addHandlers({
      onAdd: requirersOf,
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) requirersOf(cur);
      },
      onDelete: requirersOf,
    });
  }
  return controller;
}
