import { posix } from 'node:path';
import type { Location } from '../../../finding/finding.js';
import { defineRule } from '../rule.js';
import { isEngineSocket } from './docker-socket.js';
import { isMapping, serviceKey, servicesOf } from './helpers.js';

/** Host folders that hold the system, credentials, kernel interfaces or other containers' data. */
const SENSITIVE = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib64',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/sys',
  '/usr',
  '/var/lib',
  '/var/log',
  '/var/run',
];
/** Folders that are sensitive as a whole but whose subfolders are commonly data folders. */
const SENSITIVE_EXACT = ['/', '/home', '/var', '/mnt', '/opt', '/srv', '~'];
/** Credential folders directly in a user's home folder. */
const CREDENTIAL_FOLDER =
  /^(~|\/root|\/home\/[^/]+|\/Users\/[^/]+)\/(\.ssh|\.gnupg|\.aws|\.azure|\.kube|\.docker|\.config\/gcloud)(\/|$)/;
/**
 * Public host files that containers commonly read to share the host's time zone or CA
 * certificates, so they are not reported when mounted read-only.
 */
const PUBLIC_READ_ONLY = [
  '/etc/localtime',
  '/etc/timezone',
  '/usr/share/zoneinfo',
  '/etc/ssl/certs',
];

/** Returns the sensitive folder a host path (absolute or `~/...`) lies in, or undefined. */
export function sensitiveFolderOf(path: string): string | undefined {
  if (!path.startsWith('/') && !path.startsWith('~')) return undefined;
  const normalized = posix.normalize(path).replace(/(.)\/+$/, '$1');
  const credentials = CREDENTIAL_FOLDER.exec(normalized);
  if (credentials) return `${credentials[1]}/${credentials[2]}`;
  if (SENSITIVE_EXACT.includes(normalized)) return normalized;
  return SENSITIVE.find((folder) => isInside(normalized, folder));
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

export const sensitiveMountRule = defineRule({
  id: 'DC004',
  name: 'sensitive-host-path-mounted',
  title: 'Sensitive host folder is mounted into a service',
  severity: 'high',
  layer: 'container',
  target: 'compose',
  control: 'container.no-sensitive-mounts',
  status: 'stable',
  rationale:
    "Mounting `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/root`, `/var/run`, `/var/lib`, a user's `~/.ssh` or similar host folders hands the container host credentials, kernel tunables, device nodes or other containers' data. " +
    'A compromised service can then read secrets such as `/etc/shadow`, change host configuration, or reach the Docker socket, turning one container compromise into a host compromise.',
  fix: 'Mount only the application folder or file the service needs, read-only (`:ro`) where possible, or use a named volume.',
  references: [
    'https://docs.docker.com/engine/storage/bind-mounts/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html',
  ],
  limitations: [
    'Read-only mounts are reported at medium severity, since they still expose host data.',
    'Read-only mounts of the host time zone (`/etc/localtime`, `/etc/timezone`, `/usr/share/zoneinfo`) and of `/etc/ssl/certs` are not reported, because they hold only public data.',
    'Subfolders of `/home`, `/opt`, `/srv` and `/mnt`, and of `/var` outside `/var/lib`, `/var/log` and `/var/run`, are not reported because they commonly hold application data. Credential folders in a home folder, such as `~/.ssh`, `~/.aws` or `~/.kube`, are reported.',
    'The container engine socket is reported by DC002, not here.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text shows Compose syntax.
    'Paths that come only from unset variables, such as `${DATA_DIR}/x`, are read as relative paths and not reported.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      for (const mount of entry.service.mounts) {
        if (mount.type !== 'bind' || !mount.source || isEngineSocket(mount.source)) continue;
        const folder = sensitiveFolderOf(mount.source);
        if (!folder) continue;
        const source = posix.normalize(mount.source);
        if (mount.readOnly && PUBLIC_READ_ONLY.some((path) => isInside(source, path))) continue;
        const what = describePath(mount.source, folder);
        report({
          message: `service '${entry.service.name}' mounts the ${what}${mount.readOnly ? ' read-only' : ' with write access'}`,
          location: mount.sourceLocation ?? mount.location,
          key: serviceKey(entry, mount.source),
          ...(mount.readOnly ? { severity: 'medium' as const } : {}),
        });
      }
    }
    for (const project of model.compose) {
      for (const [name, volume] of Object.entries(project.volumes)) {
        const options = volume.driver_opts;
        if (!isMapping(options)) continue;
        for (const option of ['device', 'mountpoint']) {
          const path = options[option];
          const folder = typeof path === 'string' ? sensitiveFolderOf(path) : undefined;
          const location = folder ? locateVolumeOption(project.files, name, option) : undefined;
          if (!folder || !location) continue;
          report({
            message: `volume '${name}' binds the ${describePath(String(path), folder)} through \`driver_opts.${option}\``,
            location,
            key: `${project.dir}/volumes/${name}:${option}`,
          });
        }
      }
    }
  },
});

function locateVolumeOption(
  files: ReadonlyArray<{
    locate: (path: string[], part?: 'key' | 'value') => Location | undefined;
  }>,
  name: string,
  option: string,
): Location | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const location = files[i]!.locate(['volumes', name, 'driver_opts', option], 'value');
    if (location) return location;
  }
  return undefined;
}

function describePath(path: string, folder: string): string {
  const normalized = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (normalized === folder) return `sensitive host folder '${folder}'`;
  return `host path '${path}', inside sensitive '${folder}',`;
}
