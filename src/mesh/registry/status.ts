/**
 * How the mesh controller tells users about invalid Istio configuration: on the object itself,
 * in `status.validationMessages` (Istio's analysis-message shape, plus the field and message)
 * and a `Reconciled` condition, and as a Warning Event. Status is written only when it changes,
 * so a steady mesh causes no writes; an object that turns valid again gets its messages cleared.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import type { Logger } from '../../log/index.ts';
import type { Diagnostic } from '../routing/types.ts';

/** One entry of `status.validationMessages`: an error refuses the object, a warning only informs. */
export interface ValidationMessage {
  level: 'ERROR' | 'WARNING';
  type: { name: 'InvalidConfig' | 'ConfigWarning' };
  /** The offending field (`spec.http[0].route[1].weight`). */
  field: string;
  message: string;
}

const REFS: Record<Diagnostic['kind'], ResourceRef> = {
  Gateway: resources.gateways,
  VirtualService: resources.virtualservices,
  DestinationRule: resources.destinationrules,
  ServiceEntry: resources.serviceentries,
};

/** `Kind/ns/name`, the key diagnostics and objects are matched by. */
export function diagnosticKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Groups diagnostics by object; the messages are sorted so equal sets compare equal. */
export function messagesByObject(diagnostics: readonly Diagnostic[]): Map<string, ValidationMessage[]> {
  const out = new Map<string, ValidationMessage[]>();
  for (const d of diagnostics) {
    const k = diagnosticKey(d.kind, d.namespace, d.name);
    const list = out.get(k) ?? [];
    if (!list.some((m) => m.field === d.field && m.message === d.message)) {
      list.push(
        d.severity === 'warning'
          ? { level: 'WARNING', type: { name: 'ConfigWarning' }, field: d.field, message: d.message }
          : { level: 'ERROR', type: { name: 'InvalidConfig' }, field: d.field, message: d.message },
      );
    }
    out.set(k, list);
  }
  for (const list of out.values())
    list.sort(
      (a, b) =>
        a.level.localeCompare(b.level) ||
        a.field.localeCompare(b.field) ||
        a.message.localeCompare(b.message),
    );
  return out;
}

/** Options of {@link StatusReporter}. */
export interface StatusReporterOptions {
  client: Client;
  recorder: EventRecorder;
  logger?: Logger | undefined;
}

/** Writes diagnostics onto Istio objects; see the file comment. Never throws. */
export class StatusReporter {
  readonly #o: StatusReporterOptions;
  /** What was last written per object uid, to skip identical writes before the cache catches up. */
  readonly #written = new Map<string, string>();

  constructor(options: StatusReporterOptions) {
    this.#o = options;
  }

  /**
   * Brings every object's status in line with `diagnostics`. `kept` names the objects (by
   * {@link diagnosticKey}) whose last valid version stays in force, for the event's wording.
   */
  report(
    objects: readonly KubeObject[],
    diagnostics: readonly Diagnostic[],
    kept: ReadonlySet<string>,
  ): void {
    const byObject = messagesByObject(diagnostics);
    const live = new Set<string>();
    for (const obj of objects) {
      const kind = obj.kind as Diagnostic['kind'];
      const ref = REFS[kind];
      const uid = obj.metadata.uid ?? '';
      if (!ref || uid === '') continue;
      live.add(uid);
      const k = diagnosticKey(kind, obj.metadata.namespace ?? 'default', obj.metadata.name ?? '');
      const messages = byObject.get(k) ?? [];
      const current: unknown[] = Array.isArray(obj.status?.validationMessages)
        ? obj.status.validationMessages
        : [];
      const want = JSON.stringify(messages);
      const fresh = obj.status?.observedGeneration === (obj.metadata.generation ?? 1);
      // Valid and never reported on: nothing to write (a steady, valid mesh writes no status).
      if (JSON.stringify(current) === want && (fresh || messages.length === 0)) continue;
      const stamp = `${obj.metadata.generation}:${want}`;
      if (this.#written.get(uid) === stamp) continue;
      this.#written.set(uid, stamp);
      this.#write(ref, obj, messages);
      if (messages.length > 0) {
        const first = messages[0]!;
        const error = first.level === 'ERROR';
        const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : '';
        const tail = !error
          ? ''
          : kept.has(k)
            ? '; its last valid version stays in force'
            : '; the invalid part is skipped, the rest of the mesh is unaffected';
        this.#o.recorder.event(obj, {
          type: 'Warning',
          reason: first.type.name,
          message: `${first.field}: ${first.message}${more}${tail}`,
        });
      }
    }
    for (const uid of this.#written.keys()) if (!live.has(uid)) this.#written.delete(uid);
  }

  #write(ref: ResourceRef, obj: KubeObject, messages: ValidationMessage[]): void {
    const now = new Date().toISOString();
    const errors = messages.filter((m) => m.level === 'ERROR');
    const valid = errors.length === 0;
    const status = {
      observedGeneration: obj.metadata.generation ?? 1,
      validationMessages: messages,
      conditions: [
        {
          type: 'Reconciled',
          status: valid ? 'True' : 'False',
          reason: valid ? 'Accepted' : 'InvalidConfig',
          message: valid
            ? 'the mesh serves this configuration'
            : errors.map((m) => `${m.field}: ${m.message}`).join('; '),
          lastTransitionTime: now,
        },
      ],
    };
    this.#o.client
      .patch(ref, {
        namespace: obj.metadata.namespace,
        name: obj.metadata.name ?? '',
        subresource: 'status',
        type: 'merge',
        patch: { status },
      })
      .catch((err: unknown) => {
        this.#written.delete(obj.metadata.uid ?? '');
        this.#o.logger?.warn({ err, kind: obj.kind, name: obj.metadata.name }, 'writing mesh status failed');
      });
  }
}
