import { posix } from 'node:path';
import { readSource } from '../../discovery/read.js';
import type { DeploymentModel } from '../../model/types.js';

/** Kind of secret a file contains, and whether its content must be read to tell. */
interface SecretFileKind {
  what: string;
  /** When set, the file is a secret only if its content matches; unknown content counts as possible. */
  content?: RegExp;
}

const ENV_TEMPLATE = /\.(example|sample|template|dist|defaults?|tpl)$/i;

/** Classifies a file name as one that usually contains secrets, or returns undefined. */
export function secretFileKind(path: string): SecretFileKind | undefined {
  const name = posix.basename(path);
  const lower = name.toLowerCase();
  if (
    (lower === '.env' || lower.startsWith('.env.') || lower.endsWith('.env')) &&
    !ENV_TEMPLATE.test(lower)
  ) {
    return { what: 'an env file' };
  }
  if (/^id_(rsa|dsa|ecdsa|ed25519)$/.test(lower)) return { what: 'an SSH private key' };
  if (/\.(key|p12|pfx|jks|keystore)$/.test(lower)) return { what: 'a private key or keystore' };
  if (lower.endsWith('.pem')) return { what: 'a private key', content: /PRIVATE KEY-----/ };
  if (lower === '.npmrc' || lower === '.yarnrc.yml') {
    return {
      what: 'a registry token',
      content: /_auth(Token)?\s*[=:]|_password\s*[=:]|npmAuthToken/,
    };
  }
  if (
    lower === '.pypirc' ||
    lower === '.netrc' ||
    lower === '.git-credentials' ||
    lower === '.htpasswd'
  ) {
    return { what: 'credentials' };
  }
  if (path.endsWith('.aws/credentials') || path.endsWith('.docker/config.json'))
    return { what: 'credentials' };
  return undefined;
}

// Keyed by the map of files read, which the engine shares between the model and the one-file
// models it checks standalone Dockerfiles with.
const candidates = new WeakMap<DeploymentModel['files'], string[]>();

/**
 * Lists the repository files that look like secrets, from the files read and the files git
 * tracks, computed once per model so that each Dockerfile only scans this short list.
 */
export function secretFileCandidates(model: DeploymentModel): string[] {
  const known = candidates.get(model.files);
  if (known) return known;
  const paths = new Set<string>(model.files.keys());
  for (const path of model.tracked ?? []) paths.add(path);
  const found = [...paths].filter((path) => secretFileKind(path) !== undefined).sort();
  candidates.set(model.files, found);
  return found;
}

/**
 * Returns how sure it is that `path` contains a secret. For `.pem` and `.npmrc` files the content
 * decides, read from disk when the model has not read it; an unreadable file counts as possible.
 */
export function secretCertainty(
  model: DeploymentModel,
  path: string,
): 'certain' | 'possible' | 'none' {
  const kind = secretFileKind(path);
  if (!kind) return 'none';
  if (!kind.content) return 'certain';
  const file = model.files.get(path) ?? readSource(model.root, path).file;
  if (!file) return 'possible';
  return kind.content.test(file.text) ? 'certain' : 'none';
}
