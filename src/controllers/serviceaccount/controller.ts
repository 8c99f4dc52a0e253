/**
 * The ServiceAccounts controller: every active namespace has a ServiceAccount named `default`;
 * it is created when a namespace appears and recreated when deleted. Terminating namespaces are
 * left alone.
 */
import { isAlreadyExists, reasonOf } from '../../api/errors.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { ControllerContext } from '../common/context.ts';

/** The ServiceAccount names ensured in every namespace (Kubernetes' default list). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'] as const;

/** Builds the ServiceAccounts controller on the shared factory; keys are namespace names. */
export function newServiceAccountController(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const namespaces = ctx.factory.informer(resources.namespaces);
  const accounts = ctx.factory.informer(resources.serviceaccounts);

  const reconcile = async (ns: string) => {
    const namespace = namespaces.store.get(ns);
    if (!namespace || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating')
      return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (accounts.store.get(`${ns}/${name}`)) continue;
      try {
        await client.create(resources.serviceaccounts, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace: ns },
        });
      } catch (err) {
        // Already there (the cache lags), or the namespace began terminating meanwhile.
        if (isAlreadyExists(err) || reasonOf(err) === 'Forbidden' || reasonOf(err) === 'NotFound') continue;
        throw err;
      }
    }
  };

  const controller = new Controller({
    name: 'serviceaccount',
    reconcile,
    workers: ctx.workers ?? 2,
    informers: [namespaces, accounts],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  controller.watch(namespaces);
  accounts.addHandlers({
    onDelete: (sa) => {
      if ((DEFAULT_SERVICE_ACCOUNTS as readonly string[]).includes(sa.metadata.name ?? '')) {
        controller.enqueue(sa.metadata.namespace ?? '');
      }
    },
  });
  return controller;
}
