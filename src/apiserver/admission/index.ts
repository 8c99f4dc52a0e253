/**
 * Admission: plugins that see every write after defaulting and before validation, and may
 * mutate the object (allocate a ClusterIP, inject a sidecar) or refuse it with an ApiError.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceDef } from '../../api/resource-def.ts';
import type { UserInfo } from '../types.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  def: ResourceDef;
  subresource: string;
  /** The object being written (a private copy that may be mutated); for DELETE the stored object. */
  object: KubeObject;
  old?: KubeObject;
  dryRun: boolean;
  user?: UserInfo;
}

export interface AdmissionPlugin {
  name: string;
  /** Mutates `req.object` or throws an ApiError to refuse. Runs for every kind; filter inside. */
  admit(req: AdmissionRequest): Promise<void> | void;
  /** Called after a write was persisted or a delete completed (to release resources). */
  committed?(req: AdmissionRequest): void;
}
