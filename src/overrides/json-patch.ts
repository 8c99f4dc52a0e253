/**
 * The RFC 6902 subset Karmada's overriders emit (`add`, `remove`, `replace`) with RFC 6901
 * pointers, applied in place with evanphx/json-patch's strictness: `add` needs the parent,
 * `remove` and `replace` need the target, and a failed operation throws {@link OverrideError}.
 */

/** Why an override could not be applied; the binding controller reports it and retries. */
export class OverrideError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OverrideError';
  }
}

/** One JSON patch operation as Karmada builds it from an overrider. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: patched documents are open JSON
type Container = Record<string, any> | any[];

/** Splits an RFC 6901 pointer (`/a/b~1c`) into unescaped tokens; throws unless it starts with `/`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new OverrideError(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Escapes one token for a JSON pointer (`~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new OverrideError(`invalid array index "${token}" in "${path}"`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) {
    throw new OverrideError(`array index ${i} out of bounds in "${path}"`);
  }
  return i;
}

/** Reads the value at `pointer`; undefined when any step is missing. */
export function getPointer(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (isContainer(cur)) {
      cur = Object.hasOwn(cur, token) ? (cur as Record<string, unknown>)[token] : undefined;
    } else return undefined;
  }
  return cur;
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: Container; last: string } {
  if (tokens.length === 0) throw new OverrideError(`cannot patch the document root ("${path}")`);
  const parent = getPointer(
    doc,
    tokens
      .slice(0, -1)
      .map((t) => `/${escapePointerToken(t)}`)
      .join(''),
  );
  if (!isContainer(parent)) throw new OverrideError(`path "${path}" does not exist: missing parent`);
  return { parent, last: tokens[tokens.length - 1] ?? '' };
}

/**
 * Applies `ops` to `doc` in order, mutating it; values are deep-copied in. Throws
 * {@link OverrideError} on the first operation that does not apply.
 */
export function applyPatch(doc: unknown, ops: readonly PatchOperation[]): void {
  for (const op of ops) {
    const tokens = parsePointer(op.path);
    const { parent, last } = parentOf(doc, tokens, op.path);
    switch (op.op) {
      case 'add': {
        const value = structuredClone(op.value ?? null);
        if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, op.path), 0, value);
        else parent[last] = value;
        break;
      }
      case 'remove':
      case 'replace': {
        if (Array.isArray(parent)) {
          const i = arrayIndex(parent, last, false, op.path);
          if (op.op === 'remove') parent.splice(i, 1);
          else parent[i] = structuredClone(op.value ?? null);
        } else {
          if (!Object.hasOwn(parent, last)) {
            throw new OverrideError(`${op.op} operation does not apply: doc is missing path "${op.path}"`);
          }
          if (op.op === 'remove') delete parent[last];
          else parent[last] = structuredClone(op.value ?? null);
        }
        break;
      }
      default:
        throw new OverrideError(`unsupported patch operation "${String((op as { op: unknown }).op)}"`);
    }
  }
}
