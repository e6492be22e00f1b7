import type { ImageRef } from '../model/types.js';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Parses an image reference as Docker reads it: `[registry/]path[:tag][@digest]`.
 *
 * The first path component is a registry when it contains `.` or `:`, or is `localhost`, and
 * more components follow. Docker Hub names without a namespace get `library/`, so `node` and
 * `docker.io/library/node` both have the repository `library/node`. Variables that are still
 * present (`$VAR`, `${VAR}`) set `unresolved`; separators inside `${...}` are not split on.
 */
export function parseImageRef(raw: string): ImageRef {
  const text = raw.trim();
  const masked = maskVariables(text);
  const unresolved = text.includes('$');

  const at = masked.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const name = at >= 0 ? text.slice(0, at) : text;
  const maskedName = at >= 0 ? masked.slice(0, at) : masked;

  const lastSlash = maskedName.lastIndexOf('/');
  const colon = maskedName.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
  const path = colon >= 0 ? name.slice(0, colon) : name;

  const firstSlash = maskedName.indexOf('/');
  const first = firstSlash >= 0 ? maskedName.slice(0, firstSlash) : '';
  const hasRegistry =
    firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? path.slice(0, firstSlash) : undefined;
  let repository = hasRegistry ? path.slice(firstSlash + 1) : path;

  if (registry !== undefined && DOCKER_HUB_ALIASES.has(registry.toLowerCase()))
    registry = 'docker.io';
  if ((registry === undefined || registry === 'docker.io') && !repository.includes('/')) {
    repository = `library/${repository}`;
  }

  const ref: ImageRef = { raw, repository, unresolved };
  if (registry !== undefined) ref.registry = registry;
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** True when the reference names an image on Docker Hub, written with or without `docker.io`. */
export function isDockerHub(ref: ImageRef): boolean {
  return ref.registry === undefined || ref.registry === 'docker.io';
}

/**
 * Returns the short name of an official Docker Hub image (`node` for `library/node`), or
 * undefined for any other image.
 */
export function officialImageName(ref: ImageRef): string | undefined {
  if (!isDockerHub(ref) || !ref.repository.startsWith('library/')) return undefined;
  return ref.repository.slice('library/'.length);
}

/** Replaces each `${...}` span with `#` characters of the same length, so offsets stay valid. */
function maskVariables(text: string): string {
  let result = '';
  let index = 0;
  while (index < text.length) {
    const start = text.indexOf('${', index);
    if (start < 0) break;
    const end = text.indexOf('}', start + 2);
    const stop = end < 0 ? text.length : end + 1;
    result += text.slice(index, start) + '#'.repeat(stop - start);
    index = stop;
  }
  return result + text.slice(index);
}
