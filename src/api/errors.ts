/**
 * ApiError: the one error type that crosses the API boundary. It carries a Kubernetes `reason`
 * and HTTP `code` and renders itself as a `Status`. Predicates test `reason`, never `instanceof`,
 * so errors decoded from the wire and errors thrown in-process are treated alike.
 */
import type { Status, StatusCause, StatusDetails } from './meta.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export interface ApiErrorOptions {
  details?: StatusDetails;
  cause?: unknown;
}

/** An error with a Kubernetes reason and HTTP status code. */
export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = options.details;
  }

  /** The `Status` body for this error. */
  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

/** Identifies the object an error is about, as `Status.details` does: `kind` is the resource (`deployments`). */
export interface ErrorTarget {
  group: string;
  resource: string;
  name: string;
}

function qualified(t: ErrorTarget): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

function details(t: ErrorTarget, extra: Partial<StatusDetails> = {}): StatusDetails {
  return { name: t.name, group: t.group, kind: t.resource, ...extra };
}

export const errors = {
  notFound(t: ErrorTarget): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, { details: details(t) });
  },
  alreadyExists(t: ErrorTarget): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, {
      details: details(t),
    });
  },
  conflict(
    t: ErrorTarget,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`,
      {
        details: details(t),
      },
    );
  },
  /** 422 with field causes; `kind` is the object's Kind (`Deployment`), as the real server reports. */
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
    const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
    const list = causes.length > 1 ? `[${summary}]` : summary;
    return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${list}`, {
      details: { name, group, kind, causes },
    });
  },
  badRequest(message: string, causes?: StatusCause[]): ApiError {
    return new ApiError(400, 'BadRequest', message, causes ? { details: { causes } } : {});
  },
  unauthorized(message = 'Unauthorized'): ApiError {
    return new ApiError(401, 'Unauthorized', message);
  },
  forbidden(message: string, t?: ErrorTarget): ApiError {
    return new ApiError(403, 'Forbidden', message, t ? { details: details(t) } : {});
  },
  methodNotAllowed(message: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  },
  notAcceptable(message: string): ApiError {
    return new ApiError(406, 'NotAcceptable', message);
  },
  /** 410 for a watch or list from a revision that was compacted away. */
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  tooLarge(message: string): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', message);
  },
  unsupportedMediaType(message: string): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', message);
  },
  internal(message: string, cause?: unknown): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { cause });
  },
  unavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  },
  timeout(message: string): ApiError {
    return new ApiError(504, 'Timeout', message);
  },
};

/** Reads `reason` from an ApiError, a decoded `Status`, or a client error carrying a Status body. */
export function reasonOf(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { reason?: unknown; body?: unknown };
  if (typeof e.reason === 'string') return e.reason;
  if (e.body && typeof e.body === 'object') return reasonOf(e.body);
  if (typeof e.body === 'string') {
    try {
      return reasonOf(JSON.parse(e.body));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => reasonOf(err) === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => reasonOf(err) === 'Conflict';
export const isExpired = (err: unknown): boolean => {
  const r = reasonOf(err);
  return r === 'Expired' || r === 'Gone';
};
export const isInvalid = (err: unknown): boolean => reasonOf(err) === 'Invalid';
