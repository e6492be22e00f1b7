import { defineRule } from '../rule.js';
import { datastoreOf, isLoopback, serviceKey, servicesOf } from './helpers.js';

export const datastorePortRule = defineRule({
  id: 'DC005',
  name: 'datastore-port-published',
  title: 'Data store publishes a port on the host',
  severity: 'high',
  layer: 'network',
  target: 'compose',
  control: 'network.no-published-datastore',
  status: 'stable',
  rationale:
    'A database, cache or broker with a published port can be reached from outside the Docker network, often from the internet, because Docker writes its own firewall rules ahead of host firewalls such as ufw. ' +
    'Data stores are a prime target for credential guessing and for exploits of unauthenticated defaults, and the application reaches them over the internal network anyway.',
  fix: 'Remove `ports:` from the data store and let the application connect over a shared internal network; use `expose:` to document the port.',
  references: [
    'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
    'https://docs.docker.com/reference/compose-file/services/#ports',
  ],
  limitations: [
    'Data stores are recognized by image name (postgres, mysql, redis, mongo and others); a data store built from a custom Dockerfile on another base is not recognized.',
    'A port bound to a loopback address such as 127.0.0.1 is still reported, at medium severity, because any local process or SSH tunnel can reach it.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const kind = datastoreOf(service);
      if (!kind) continue;
      for (const port of service.ports) {
        const loopback = isLoopback(port.hostIp);
        report({
          message: `${kind} service '${service.name}' publishes container port ${port.target} on the host${port.published ? ` as ${hostAddress(port.hostIp)}${port.published}` : ''}`,
          location: port.location,
          key: serviceKey(
            entry,
            `${port.hostIp ?? ''}:${port.published ?? ''}:${port.target}/${port.protocol}`,
          ),
          ...(loopback ? { severity: 'medium' as const } : {}),
        });
      }
    }
  },
});

/** Writes a host address before a port: `127.0.0.1:`, `[::1]:`, or nothing without an address. */
function hostAddress(hostIp: string | undefined): string {
  if (!hostIp) return '';
  return hostIp.includes(':') && !hostIp.startsWith('[') ? `[${hostIp}]:` : `${hostIp}:`;
}
