/**
 * The image catalog: which local program an image reference stands for. A built-in entry maps any
 * `…/examples-bookinfo-<svc>-<ver>:<tag>` image to Flotilla's Bookinfo services, with the settings
 * upstream's image builds bake in per version; users add entries in a YAML or JSON file
 * `{images: [{match, command, args, env, workingDir}]}`, re-read whenever it changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** One catalog entry: `match` is a glob (`*`, `?`) or a `/regex/` over the image reference. */
export interface CatalogEntry {
  match: string;
  /** The image's entrypoint (Kubernetes `command` replaces it). `$(CONTAINER_PORT)` and env vars expand. */
  command: string[];
  /** The image's default arguments (Kubernetes `args` replaces them). */
  args?: string[];
  /** The image's environment; the container's `env` overrides it. */
  env?: Record<string, string>;
  /** Working directory; the pod's own directory when unset. */
  workingDir?: string;
}

/** What an image resolves to. */
export interface ImageProgram {
  command: string[];
  args: string[];
  env: Record<string, string>;
  workingDir?: string;
}

/** Options of {@link ImageCatalog}. */
export interface CatalogOptions {
  /** The user's catalog file; a missing file means no user entries. */
  file?: string | undefined;
  /** Entries other components add (e.g. the mesh's sidecar image); looked up after the file's. */
  entries?: readonly CatalogEntry[] | undefined;
  /** Where `examples/bookinfo` lives; the repository root by default. */
  repoRoot?: string | undefined;
  /** The node binary for the Bookinfo services; `process.execPath` by default. */
  nodePath?: string | undefined;
}

/** The repository root, from this file's location. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const BOOKINFO =
  /(?:^|\/)examples-bookinfo-(details|ratings|reviews|productpage)-(v[a-z0-9-]*)(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$/;

/** Environment upstream's `docker-bake.hcl` build arguments give each Bookinfo image. */
export function bookinfoEnv(service: string, version: string): Record<string, string> {
  switch (service) {
    case 'reviews':
      if (version === 'v1') return { ENABLE_RATINGS: 'false', SERVICE_VERSION: version };
      return {
        ENABLE_RATINGS: 'true',
        STAR_COLOR: version === 'v3' ? 'red' : 'black',
        SERVICE_VERSION: version,
      };
    case 'ratings':
      return { SERVICE_VERSION: version };
    case 'details':
      return { ENABLE_EXTERNAL_BOOK_SERVICE: version === 'v2' ? 'true' : 'false', SERVICE_VERSION: version };
    default:
      return version === 'v-flooding' ? { FLOOD_FACTOR: '100' } : {};
  }
}

/** `nginx` → `docker.io/library/nginx:latest`, as container runtimes normalise references. */
export function normalizeImage(image: string): string {
  let ref = image;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash < 0) ref = `docker.io/library/${ref}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') ref = `docker.io/${ref}`;
  const lastSlash = ref.lastIndexOf('/');
  if (!ref.includes('@') && !ref.slice(lastSlash).includes(':')) ref += ':latest';
  return ref;
}

/** Compiles a catalog `match`: `/…/` is a regular expression, anything else a whole-string glob. */
export function compileMatch(match: string): RegExp {
  if (match.length > 1 && match.startsWith('/') && match.endsWith('/')) return new RegExp(match.slice(1, -1));
  const body = match
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function checkEntry(e: unknown, i: number): CatalogEntry {
  const where = `images[${i}]`;
  if (typeof e !== 'object' || e === null) throw new TypeError(`${where} is not an object`);
  const o = e as Record<string, unknown>;
  if (typeof o.match !== 'string' || o.match === '')
    throw new TypeError(`${where}.match must be a non-empty string`);
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!strings(o.command) || o.command.length === 0)
    throw new TypeError(`${where}.command must be a non-empty list of strings`);
  if (o.args !== undefined && !strings(o.args))
    throw new TypeError(`${where}.args must be a list of strings`);
  if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null))
    throw new TypeError(`${where}.env must be a map`);
  compileMatch(o.match);
  const entry: CatalogEntry = { match: o.match, command: o.command };
  if (o.args !== undefined) entry.args = o.args as string[];
  if (o.env !== undefined)
    entry.env = Object.fromEntries(Object.entries(o.env as object).map(([k, v]) => [k, String(v)]));
  if (typeof o.workingDir === 'string') entry.workingDir = o.workingDir;
  return entry;
}

/** Parses a catalog file's text (YAML or JSON); throws TypeError naming the bad field. */
export function parseCatalog(text: string): CatalogEntry[] {
  const doc = parseYaml(text) as unknown;
  if (doc === null || doc === undefined) return [];
  const images = (doc as { images?: unknown }).images;
  if (images === undefined || images === null) return [];
  if (!Array.isArray(images)) throw new TypeError('images must be a list');
  return images.map(checkEntry);
}

/** The result of {@link ImageCatalog.resolve}: a program, or the message for `ErrImagePull`. */
export type CatalogLookup = { program: ImageProgram } | { error: string };

/** Image reference → local program. Lookups never throw; a broken file is reported in the error. */
export class ImageCatalog {
  readonly file: string | undefined;
  readonly #entries: readonly CatalogEntry[];
  readonly #repoRoot: string;
  readonly #nodePath: string;
  #fileEntries: CatalogEntry[] = [];
  #fileError: string | undefined;
  #fileStamp = '';

  /** Creates a catalog; the file is read lazily on lookup. */
  constructor(options: CatalogOptions = {}) {
    this.file = options.file;
    this.#entries = options.entries ?? [];
    this.#repoRoot = options.repoRoot ?? REPO_ROOT;
    this.#nodePath = options.nodePath ?? process.execPath;
  }

  /** Resolves `image`; the file's entries win over added and built-in ones. */
  resolve(image: string): CatalogLookup {
    this.#reload();
    const refs = [image, normalizeImage(image)];
    for (const e of [...this.#fileEntries, ...this.#entries]) {
      const re = compileMatch(e.match);
      if (refs.some((r) => re.test(r))) {
        const program: ImageProgram = { command: e.command, args: e.args ?? [], env: e.env ?? {} };
        if (e.workingDir !== undefined) program.workingDir = e.workingDir;
        return { program };
      }
    }
    const bi = BOOKINFO.exec(image);
    if (bi) {
      const [, svc = '', ver = ''] = bi;
      const main = path.join(this.#repoRoot, 'examples', 'bookinfo', svc, 'main.ts');
      return {
        program: {
          command: [this.#nodePath, main],
          args: ['$(CONTAINER_PORT)'],
          env: bookinfoEnv(svc, ver),
          workingDir: this.#repoRoot,
        },
      };
    }
    const where = this.file ?? 'the image catalog file (runtime option catalogFile)';
    let error = `image "${image}" is not in Flotilla's image catalog; add it to ${where}`;
    if (this.#fileError !== undefined) error += ` (${this.#fileError})`;
    return { error };
  }

  #reload(): void {
    if (this.file === undefined) return;
    let stamp: string;
    try {
      const st = fs.statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.#fileStamp) return;
    this.#fileStamp = stamp;
    this.#fileEntries = [];
    this.#fileError = undefined;
    if (stamp === 'missing') return;
    try {
      this.#fileEntries = parseCatalog(fs.readFileSync(this.file, 'utf8'));
    } catch (err) {
      this.#fileError = `image catalog ${this.file} is invalid: ${(err as Error).message}`;
    }
  }
}

/** The absolute path `cmd` runs as, searching `PATH` for bare names; undefined when not executable. */
export function findExecutable(cmd: string, pathVar: string | undefined, cwd: string): string | undefined {
  const candidates = cmd.includes('/')
    ? [path.resolve(cwd, cmd)]
    : (pathVar ?? '')
        .split(path.delimiter)
        .filter((d) => d !== '')
        .map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}
