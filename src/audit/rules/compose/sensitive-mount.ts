import { posix } from 'node:path';
import type { Location } from '../../../finding/finding.js';
import { defineRule } from '../rule.js';
import { isMapping, serviceKey, servicesOf } from './helpers.js';

/** Host folders that hold the system, credentials, kernel interfaces or other containers' data. */
const SENSITIVE = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
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
const SENSITIVE_EXACT = ['/', '/var', '/mnt', '/opt', '/srv'];

/** Returns the sensitive folder a host path lies in, or undefined. */
export function sensitiveFolderOf(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const normalized = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (SENSITIVE_EXACT.includes(normalized)) return normalized;
  return SENSITIVE.find((folder) => normalized === folder || normalized.startsWith(`${folder}/`));
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
    'Mounting `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/root`, `/var/run`, `/var/lib` or similar host folders hands the container host credentials, kernel tunables, device nodes or other containers\' data. ' +
    'A compromised service can then read secrets such as `/etc/shadow`, change host configuration, or reach the Docker socket, turning one container compromise into a host compromise.',
  fix: 'Mount only the application folder or file the service needs, read-only (`:ro`) where possible, or use a named volume.',
  references: [
    'https://docs.docker.com/engine/storage/bind-mounts/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html',
  ],
  limitations: [
    'Read-only mounts are reported at medium severity, since they still expose host data.',
    'Paths that come only from unset variables, such as `${DATA_DIR}/x`, are read as relative paths and not reported.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      for (const mount of entry.service.mounts) {
        if (mount.type !== 'bind' || !mount.source) continue;
        const folder = sensitiveFolderOf(mount.source);
        if (!folder) continue;
        report({
          message: `service '${entry.service.name}' mounts the host folder '${mount.source}'${mount.readOnly ? ' read-only' : ''}, inside sensitive '${folder}'`,
          location: mount.location,
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
            message: `volume '${name}' binds the host folder '${String(path)}' through \`driver_opts.${option}\`, inside sensitive '${folder}'`,
            location,
            key: `${project.dir}/volumes/${name}:${option}`,
          });
        }
      }
    }
  },
});

function locateVolumeOption(
  files: ReadonlyArray<{ locate: (path: string[], part?: 'key' | 'value') => Location | undefined }>,
  name: string,
  option: string,
): Location | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const location = files[i]!.locate(['volumes', name, 'driver_opts', option]);
    if (location) return location;
  }
  return undefined;
}
