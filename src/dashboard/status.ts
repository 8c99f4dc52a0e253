/** The Kubernetes `Status` bodies the dashboard answers errors with, as the API server does. */
import type { Status, StatusCause } from '../api/meta.ts';

/** A Failure `Status` with `code`, `reason`, `message` and, for bad input, the fields at fault. */
export function failure(code: number, reason: string, message: string, causes?: StatusCause[]): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
    ...(causes ? { details: { causes } } : {}),
  };
}
