/**
 * Package identity. A finding is identified by project, image repository, vulnerability (after
 * alias merging), package name and package location; installed versions, titles and
 * descriptions change on every rebuild or database update and are left out.
 */

const OS_PACKAGE_TYPES: Record<string, string> = {
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  apk: 'apk',
  debian: 'deb',
  ubuntu: 'deb',
  deb: 'deb',
  redhat: 'rpm',
  centos: 'rpm',
  rocky: 'rpm',
  alma: 'rpm',
  oracle: 'rpm',
  amazon: 'rpm',
  fedora: 'rpm',
  photon: 'rpm',
  suse: 'rpm',
  'opensuse.leap': 'rpm',
  'cbl-mariner': 'rpm',
  azurelinux: 'rpm',
  rpm: 'rpm',
};

/** Returns the package manager (`apk`, `deb`, `rpm`) for an OS family or package type. */
export function osPackageManager(typeOrFamily: string): string | null {
  return OS_PACKAGE_TYPES[typeOrFamily.toLowerCase()] ?? null;
}

/** Strips the version, qualifiers and subpath from a PURL: `pkg:npm/a@1?x=y` → `pkg:npm/a`. */
export function versionlessPurl(purl: string): string {
  const withoutExtras = purl.split(/[?#]/, 1)[0] ?? purl;
  const at = withoutExtras.lastIndexOf('@');
  const slash = withoutExtras.lastIndexOf('/');
  return at > slash ? withoutExtras.slice(0, at) : withoutExtras;
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** Replaces the installed version in the file name, so `avro-1.11.1.jar` survives an upgrade. */
function versionlessPath(path: string, version: string | null | undefined): string {
  if (!version) return path;
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  return base.includes(version)
    ? path.slice(0, slash + 1) + base.replace(version, '{version}')
    : path;
}

export interface LocationInput {
  packageType: string;
  installedVersion?: string | null;
  path?: string | null;
  purl?: string | null;
  /** The scan target the package was found in, such as a lockfile name. */
  target?: string | null;
}

/**
 * Computes where a package lives. OS packages are one per image, so their location is the
 * package manager (`os:deb`): Trivy gives no path for them and Grype gives the database file.
 * Language packages can be installed at several paths, so their location is the path, else the
 * versionless PURL, else the scan target.
 */
export function packageLocation(input: LocationInput): string {
  const manager = osPackageManager(input.packageType);
  if (manager) return `os:${manager}`;
  if (input.path) return versionlessPath(normalizePath(input.path), input.installedVersion);
  if (input.purl) return versionlessPurl(input.purl);
  if (input.target) return normalizePath(input.target);
  return input.packageType;
}

/** Splits an image reference into repository, tag and digest: `a/b:1@sha256:x`. */
export function parseImageReference(reference: string): {
  repository: string;
  tag: string | null;
  digest: string | null;
} {
  const [nameAndTag = '', digest = null] = reference.trim().split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  return {
    repository: hasTag ? nameAndTag.slice(0, colon) : nameAndTag,
    tag: hasTag ? nameAndTag.slice(colon + 1) : null,
    digest,
  };
}
