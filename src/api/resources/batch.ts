/** batch/v1 Job. */
import type { KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { humanDuration } from './age.ts';
import { defineResource } from './define.ts';
import { workloadSchema } from './patch-schemas.ts';
import { defaultPodTemplate } from './pod-spec.ts';
import {
  ageColumn,
  ageOf,
  column,
  containerCells,
  formatLabelSelector,
  int,
  nameColumn,
  wide,
} from './table-util.ts';
import { workloadValidator } from './workload.ts';

function hasCondition(job: KubeObject, type: string): boolean {
  const conds: { type?: string; status?: string }[] = job.status?.conditions ?? [];
  return conds.some((c) => c.type === type && c.status === 'True');
}

/** The STATUS cell of a Job (`Complete`, `Failed`, `Terminating`, `Suspended`, `FailureTarget`, `Running`). */
export function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: KubeObject): string {
  const succeeded = int(job.status?.succeeded);
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

/** The Job resource (category `all`, status): `Name Status Completions Duration Age` + wide. */
export function jobResource(): ResourceDef {
  return defineResource({
    group: 'batch',
    versions: ['v1'],
    kind: 'Job',
    plural: 'jobs',
    namespaced: true,
    categories: ['all'],
    subresources: { status: true },
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'Status of the job.'),
        column(
          'Completions',
          'string',
          'The desired number of successfully finished pods the job should be run with.',
        ),
        column('Duration', 'string', 'Time required to complete the job.'),
        ageColumn(),
        wide('Containers', 'Names of each container in the template.'),
        wide('Images', 'Images referenced by each container in the template.'),
        wide('Selector', 'A label query over pods that should match the pod count.'),
      ],
      cells(job, now) {
        const [names, images] = containerCells(job.spec?.template?.spec);
        return [
          job.metadata.name ?? '',
          jobStatus(job),
          completions(job),
          jobDuration(job, now),
          ageOf(job, now),
          names,
          images,
          formatLabelSelector(job.spec?.selector),
        ];
      },
    },
    fieldSelectors: { 'status.successful': (o) => String(int(o.status?.succeeded)) },
    patchSchema: workloadSchema(),
    defaulting(obj) {
      obj.spec ??= {};
      const spec = obj.spec;
      if (spec.completions === undefined && spec.parallelism === undefined) {
        spec.completions = 1;
        spec.parallelism = 1;
      }
      spec.parallelism ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= 'NonIndexed';
      spec.suspend ??= false;
      spec.podReplacementPolicy ??= 'TerminatingOrFailed';
      spec.template ??= {};
      defaultPodTemplate(spec.template);
    },
    validate: workloadValidator({
      noun: 'job',
      restartPolicies: ['OnFailure', 'Never'],
      replicas: false,
      selectorOptional: true,
    }),
  });
}
