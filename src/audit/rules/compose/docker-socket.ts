import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';

/** Container-engine control sockets: Docker, containerd, Podman, CRI-O and Docker's Windows pipe. */
const ENGINE_SOCKET = /(^|[\\/])((docker|containerd|podman|crio)\.sock|docker_engine)$/;

/** True when a host path is a container engine's control socket or named pipe. */
export function isEngineSocket(path: string): boolean {
  return ENGINE_SOCKET.test(path.replace(/\/+$/, ''));
}

export const dockerSocketRule = defineRule({
  id: 'DC002',
  name: 'docker-socket-mounted',
  title: 'Container engine socket is mounted into a service',
  severity: 'critical',
  layer: 'container',
  target: 'compose',
  control: 'network.no-docker-socket',
  status: 'stable',
  rationale:
    'Whoever can write to the Docker socket can start a privileged container that mounts the host root, so the socket is root on the host. ' +
    'Mounting it read-only does not help, because the API is reached by connecting to the socket, not by writing the file.',
  fix: 'Remove the socket mount. If a tool must read container state, put a filtering proxy such as docker-socket-proxy in front of the socket and allow only the API calls it needs.',
  references: [
    'https://docs.docker.com/engine/security/#docker-daemon-attack-surface',
    'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html',
  ],
  limitations: [
    'A socket reached through a mounted parent folder, such as `/var/run:/host/run`, is reported by DC004 instead.',
    'A socket exposed over TCP (`DOCKER_HOST=tcp://...`) is not a mount and is not seen.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      for (const mount of entry.service.mounts) {
        if (mount.type !== 'bind' && mount.type !== 'npipe') continue;
        if (!mount.source || !isEngineSocket(mount.source)) continue;
        report({
          message: `service '${entry.service.name}' mounts the container engine socket '${mount.source}', which gives root on the host`,
          location: mount.sourceLocation ?? mount.location,
          key: serviceKey(entry, mount.source),
        });
      }
    }
  },
});
