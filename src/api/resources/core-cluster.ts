/** core/v1 Namespace, Node, Event and PersistentVolumeClaim. */
import type { KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { translateTimestampSince } from './age.ts';
import { defineResource, fieldAt } from './define.ts';
import { conditionedSchema, metadataOnlySchema, nodeSchema } from './patch-schemas.ts';
import { ageColumn, ageOf, column, nameColumn, wide } from './table-util.ts';

// biome-ignore lint/suspicious/noExplicitAny: open JSON
type Obj = Record<string, any>;

/** The Namespace resource (`ns`, cluster-scoped): `Name Status Age`; defaults phase Active and the `kubernetes` finalizer. */
export function namespaceResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    subresources: { status: true },
    extraSubresources: ['finalize'],
    table: {
      columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
      cells: (ns, now) => [ns.metadata.name ?? '', ns.status?.phase ?? '', ageOf(ns, now)],
    },
    fieldSelectors: { 'status.phase': fieldAt('status.phase') },
    patchSchema: conditionedSchema,
    defaulting(obj) {
      obj.spec ??= {};
      obj.spec.finalizers ??= ['kubernetes'];
      obj.status ??= {};
      obj.status.phase ??= 'Active';
      if (obj.metadata.name) {
        obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      }
    },
  });
}

/** Node roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(node: KubeObject): string {
  const conds: Obj[] = node.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  const status = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = (node.status?.addresses ?? []).find((x: Obj) => x.type === type);
  return a?.address ?? '<none>';
}

/** The Node resource (`no`, cluster-scoped): `Name Status Roles Age Version` + wide. */
export function nodeResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: { status: true },
    extraSubresources: ['proxy'],
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'The status of the node'),
        column('Roles', 'string', 'The roles of the node'),
        ageColumn(),
        column('Version', 'string', 'Kubelet Version reported by the node.'),
        wide('Internal-IP', 'List of addresses reachable to the node.'),
        wide('External-IP', 'List of addresses reachable to the node.'),
        wide(
          'OS-Image',
          'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        ),
        wide(
          'Kernel-Version',
          "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        ),
        wide(
          'Container-Runtime',
          'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        ),
      ],
      cells(node, now) {
        const info: Obj = node.status?.nodeInfo ?? {};
        const roles = nodeRoles(node).join(',');
        return [
          node.metadata.name ?? '',
          nodeStatus(node),
          roles === '' ? '<none>' : roles,
          ageOf(node, now),
          info.kubeletVersion ?? '',
          nodeAddress(node, 'InternalIP'),
          nodeAddress(node, 'ExternalIP'),
          info.osImage || '<unknown>',
          info.kernelVersion || '<unknown>',
          info.containerRuntimeVersion || '<unknown>',
        ];
      },
    },
    fieldSelectors: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
    patchSchema: nodeSchema,
  });
}

function eventCells(ev: KubeObject, now: Date): unknown[] {
  const first = ev.firstTimestamp
    ? translateTimestampSince(ev.firstTimestamp, now)
    : translateTimestampSince(ev.eventTime, now);
  let last = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : first;
  let count: number = ev.count ?? 0;
  if (ev.series) {
    last = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const io: Obj = ev.involvedObject ?? {};
  const kind = String(io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [
    last,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    io.fieldPath ?? '',
    source,
    String(ev.message ?? '').trim(),
    first,
    count,
    ev.metadata.name ?? '',
  ];
}

/** The Event resource (`ev`): `Last Seen Type Reason Object Message` (Name last, wide) and the involvedObject field selectors. */
export function eventResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    table: {
      columns: [
        column(
          'Last Seen',
          'string',
          'The time at which the most recent occurrence of this event was recorded.',
        ),
        column(
          'Type',
          'string',
          'Type of this event (Normal, Warning), new types could be added in the future',
        ),
        column(
          'Reason',
          'string',
          "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        ),
        column('Object', 'string', 'The object that this event is about.'),
        wide('Subobject', 'The subobject that this event is about.'),
        wide(
          'Source',
          'The component reporting this event. Should be a short machine understandable string.',
        ),
        column('Message', 'string', 'A human-readable description of the status of this operation.'),
        wide(
          'First Seen',
          'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
        ),
        wide('Count', 'The number of times this event has occurred.'),
        column('Name', 'string', 'Name of the event', 1, 'name'),
      ],
      cells: eventCells,
    },
    fieldSelectors: {
      'involvedObject.kind': fieldAt('involvedObject.kind'),
      'involvedObject.namespace': fieldAt('involvedObject.namespace'),
      'involvedObject.name': fieldAt('involvedObject.name'),
      'involvedObject.uid': fieldAt('involvedObject.uid'),
      'involvedObject.apiVersion': fieldAt('involvedObject.apiVersion'),
      'involvedObject.resourceVersion': fieldAt('involvedObject.resourceVersion'),
      'involvedObject.fieldPath': fieldAt('involvedObject.fieldPath'),
      reason: fieldAt('reason'),
      reportingComponent: fieldAt('reportingComponent'),
      source: (o) => o.source?.component || o.reportingComponent || '',
      type: fieldAt('type'),
    },
    patchSchema: metadataOnlySchema,
  });
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** The PersistentVolumeClaim resource (`pvc`) with kubectl's columns. */
export function pvcResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: { status: true },
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'Phase represents the current phase of PersistentVolumeClaim.'),
        column(
          'Volume',
          'string',
          'VolumeName is the binding reference to the PersistentVolume backing this claim.',
        ),
        column('Capacity', 'string', 'Capacity represents the actual resources of the underlying volume.'),
        column(
          'Access Modes',
          'string',
          'AccessModes contains the desired access modes the volume should have.',
        ),
        column(
          'StorageClass',
          'string',
          'StorageClassName is the name of the StorageClass required by the claim.',
        ),
        column(
          'VolumeAttributesClass',
          'string',
          'VolumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
        ),
        ageColumn(),
        wide('VolumeMode', 'volumeMode defines what type of volume is required by the claim.'),
      ],
      cells(pvc, now) {
        const spec: Obj = pvc.spec ?? {};
        const status: Obj = pvc.status ?? {};
        const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? '');
        const bound = Boolean(spec.volumeName);
        const modes = bound ? ((status.accessModes ?? []) as string[]).map((m) => ACCESS_MODES[m] ?? m) : [];
        const storageClass =
          spec.storageClassName ??
          pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ??
          '';
        return [
          pvc.metadata.name ?? '',
          phase,
          spec.volumeName ?? '',
          bound ? (status.capacity?.storage ?? '') : '',
          [...new Set(modes)].join(','),
          storageClass,
          spec.volumeAttributesClassName ?? '<unset>',
          ageOf(pvc, now),
          spec.volumeMode ?? '<unset>',
        ];
      },
    },
    patchSchema: conditionedSchema,
    defaulting(obj) {
      obj.spec ??= {};
      obj.spec.volumeMode ??= 'Filesystem';
      obj.status ??= {};
      obj.status.phase ??= 'Pending';
    },
  });
}
