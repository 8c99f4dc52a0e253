/**
 * Flotilla's protobuf schema: every message it can decode, compiled once at module load, and the
 * kinds (apiVersion + kind) whose bodies it accepts. Field numbers were read from upstream
 * `generated.proto` files (kubernetes/api core/v1, apps/v1, batch/v1, rbac/v1, certificates/v1 and
 * kubernetes/apimachinery meta/v1, runtime, intstr, resource) and written here by hand.
 */
import { CERTIFICATES } from './schema-certificates.ts';
import { CORE } from './schema-core.ts';
import { META } from './schema-meta.ts';
import { POD } from './schema-pod.ts';
import { type CompiledMessage, compileTable, type MessageTable } from './schema-types.ts';
import { VOLUMES } from './schema-volumes.ts';
import { APPS, BATCH, RBAC } from './schema-workloads.ts';

export type { CompiledMessage, FieldSpec, FieldType, MessageTable, ScalarType } from './schema-types.ts';

/**
 * Messages with their own JSON form, decoded by hand in `decode.ts`: `Time` and `MicroTime` as
 * RFC 3339 strings, `Duration` as Go's duration string, `IntOrString` as a number or string,
 * `Quantity` as its string, `FieldsV1` as the JSON object its bytes hold.
 */
export const SPECIAL_MESSAGES: ReadonlySet<string> = new Set([
  'Time',
  'MicroTime',
  'Duration',
  'IntOrString',
  'Quantity',
  'FieldsV1',
]);

/**
 * Messages that fields refer to but that have no schema here: status messages (clients do not
 * send status on create) and rarely used volume sources. A body that sets one is refused with 415.
 */
export const UNCOVERED_MESSAGES: ReadonlySet<string> = new Set([
  'PodStatus',
  'DeploymentStatus',
  'ReplicaSetStatus',
  'StatefulSetStatus',
  'DaemonSetStatus',
  'JobStatus',
  'CronJobStatus',
  'PersistentVolumeClaimStatus',
  'GCEPersistentDiskVolumeSource',
  'AWSElasticBlockStoreVolumeSource',
  'GitRepoVolumeSource',
  'ISCSIVolumeSource',
  'GlusterfsVolumeSource',
  'RBDVolumeSource',
  'FlexVolumeSource',
  'CinderVolumeSource',
  'CephFSVolumeSource',
  'FlockerVolumeSource',
  'FCVolumeSource',
  'AzureFileVolumeSource',
  'VsphereVirtualDiskVolumeSource',
  'QuobyteVolumeSource',
  'AzureDiskVolumeSource',
  'PhotonPersistentDiskVolumeSource',
  'PortworxVolumeSource',
  'ScaleIOVolumeSource',
  'StorageOSVolumeSource',
  'ClusterTrustBundleProjection',
  'PodCertificateProjection',
  'EphemeralContainer',
]);

const TABLES: MessageTable[] = [META, CORE, POD, VOLUMES, APPS, BATCH, RBAC, CERTIFICATES];

function compileAll(): Map<string, CompiledMessage> {
  const all = new Map<string, CompiledMessage>();
  for (const table of TABLES) {
    for (const [name, message] of compileTable(table)) {
      if (all.has(name)) throw new Error(`protobuf schema: message ${name} is defined twice`);
      all.set(name, message);
    }
  }
  return all;
}

/** Every decodable message by name. Names are unique across the groups covered. */
export const MESSAGES: ReadonlyMap<string, CompiledMessage> = compileAll();

/**
 * `apiVersion/kind` → top-level message, for the kinds whose protobuf bodies are accepted.
 * `DeleteOptions` is looked up by kind alone (see `messageForKind`): typed clients label it with
 * the group version of the resource being deleted.
 */
export const KINDS: ReadonlyMap<string, string> = new Map([
  ['v1/Namespace', 'Namespace'],
  ['v1/ConfigMap', 'ConfigMap'],
  ['v1/Secret', 'Secret'],
  ['v1/ServiceAccount', 'ServiceAccount'],
  ['v1/Service', 'Service'],
  ['v1/Pod', 'Pod'],
  ['v1/PersistentVolumeClaim', 'PersistentVolumeClaim'],
  ['apps/v1/Deployment', 'Deployment'],
  ['apps/v1/ReplicaSet', 'ReplicaSet'],
  ['apps/v1/StatefulSet', 'StatefulSet'],
  ['apps/v1/DaemonSet', 'DaemonSet'],
  ['batch/v1/Job', 'Job'],
  ['batch/v1/CronJob', 'CronJob'],
  ['rbac.authorization.k8s.io/v1/Role', 'Role'],
  ['rbac.authorization.k8s.io/v1/ClusterRole', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1/RoleBinding', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', 'ClusterRoleBinding'],
  ['certificates.k8s.io/v1/CertificateSigningRequest', 'CertificateSigningRequest'],
]);

/** The top-level message for a body's apiVersion and kind, or undefined when it has no schema. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'DeleteOptions';
  return KINDS.get(`${apiVersion}/${kind}`);
}
