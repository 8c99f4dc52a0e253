/**
 * Image references as Karmada's image overrider sees them: `[registry/]repository[:tag|@digest]`,
 * with the registry recognised only when the first path element contains `.` or `:` or is
 * `localhost` (no `docker.io` normalisation), and a tag winning over a digest when both appear.
 */
import { OverrideError } from './json-patch.ts';

/** The parts of an image reference; empty strings for absent parts. */
export interface ImageParts {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses an image reference; throws {@link OverrideError} when it is not a valid reference. */
export function parseImage(image: string): ImageParts {
  let name = image;
  let digest = '';
  let tag = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) throw new OverrideError(`invalid image reference "${image}": bad digest`);
  }
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) throw new OverrideError(`invalid image reference "${image}": bad tag`);
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (/[.:]/.test(first) || first === 'localhost');
  const registry = hasRegistry ? first : '';
  const repository = hasRegistry ? name.slice(slash + 1) : name;
  if (repository === '' || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw new OverrideError(`invalid image reference "${image}"`);
  }
  // A reference with both keeps the tag only, as distribution/reference's Tagged branch does.
  return { registry, repository, tag, digest: tag ? '' : digest };
}

/** Renders parts back: `registry/repository:tag`, else `@digest`, else bare. */
export function formatImage(parts: ImageParts): string {
  const full = parts.registry ? `${parts.registry}/${parts.repository}` : parts.repository;
  if (parts.tag) return `${full}:${parts.tag}`;
  if (parts.digest) return `${full}@${parts.digest}`;
  return full;
}

function setTagOrDigest(parts: ImageParts, value: string): void {
  if (TAG.test(value)) {
    parts.tag = value;
    parts.digest = '';
  } else if (DIGEST.test(value)) {
    parts.digest = value;
    parts.tag = '';
  }
}

/**
 * One image overrider applied to one image: `add` appends `value` to the component, `replace`
 * sets it, `remove` clears it. A tag/digest value that is neither leaves the image unchanged.
 */
export function overrideImage(
  image: string,
  overrider: {
    component: 'Registry' | 'Repository' | 'Tag';
    operator: 'add' | 'remove' | 'replace';
    value?: string;
  },
): string {
  const parts = parseImage(image);
  const value = overrider.value ?? '';
  switch (overrider.component) {
    case 'Registry':
      if (overrider.operator === 'add') parts.registry += value;
      else if (overrider.operator === 'replace') parts.registry = value;
      else if (overrider.operator === 'remove') parts.registry = '';
      break;
    case 'Repository':
      if (overrider.operator === 'add') parts.repository += value;
      else if (overrider.operator === 'replace') parts.repository = value;
      else if (overrider.operator === 'remove') parts.repository = '';
      break;
    case 'Tag':
      if (overrider.operator === 'add') setTagOrDigest(parts, (parts.tag || parts.digest) + value);
      else if (overrider.operator === 'replace') setTagOrDigest(parts, value);
      else if (overrider.operator === 'remove') {
        if (parts.tag) parts.tag = '';
        else parts.digest = '';
      }
      break;
    default:
      throw new OverrideError(`unsupported image component(${String(overrider.component)})`);
  }
  return formatImage(parts);
}
