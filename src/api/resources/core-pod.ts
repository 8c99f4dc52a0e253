/** core/v1 Pod: table, field selectors, defaulting and validation. */
import type { ResourceDef } from '../resource-def.ts';
import { defineResource, fieldAt } from './define.ts';
import { podSchema } from './patch-schemas.ts';
import { podTable } from './pod-printer.ts';
import { defaultPodSpec, validatePodSpec } from './pod-spec.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

/** The pod's QoS class as `GetPodQOS` computes it from container requests and limits. */
export function qosClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Obj[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req: Obj = c?.resources?.requests ?? {};
    const lim: Obj = c?.resources?.limits ?? {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r])))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The Pod resource (`po`, category `all`, status subresource, `log`/`exec`/… for discovery). */
export function podResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: { status: true },
    extraSubresources: ['log', 'exec', 'attach', 'portforward', 'binding', 'eviction', 'ephemeralcontainers'],
    table: podTable,
    fieldSelectors: {
      'spec.nodeName': fieldAt('spec.nodeName'),
      'spec.restartPolicy': fieldAt('spec.restartPolicy'),
      'spec.schedulerName': fieldAt('spec.schedulerName'),
      'spec.serviceAccountName': fieldAt('spec.serviceAccountName'),
      'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
      'status.phase': fieldAt('status.phase'),
      'status.podIP': fieldAt('status.podIP'),
      'status.nominatedNodeName': fieldAt('status.nominatedNodeName'),
    },
    patchSchema: podSchema,
    defaulting(obj) {
      obj.spec ??= {};
      defaultPodSpec(obj.spec, { pod: true });
      obj.status ??= {};
      obj.status.phase ??= 'Pending';
      obj.status.qosClass ??= qosClass(obj.spec);
    },
    validate(obj, ctx) {
      if (ctx.status) return [];
      return validatePodSpec(obj.spec, 'spec');
    },
  });
}
