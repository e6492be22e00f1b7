import { defineRule } from '../rule.js';
import { datastoreOf, isLoopback, serviceKey, servicesOf, udpSuffix } from './helpers.js';

export const backendPortRule = defineRule({
  id: 'DC006',
  name: 'backend-port-published',
  title: 'Service other than the reverse proxy publishes a port',
  severity: 'medium',
  layer: 'network',
  target: 'compose',
  control: 'network.proxy-only-ingress',
  status: 'stable',
  rationale:
    'When only the reverse proxy publishes ports, every request passes TLS termination, rate limiting and security headers before it reaches the application. ' +
    'A backend with its own published port is a second way in that skips all of those controls.',
  fix: 'Replace `ports:` with `expose:` on the backend and route its traffic through the reverse proxy.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#expose',
    'https://docs.docker.com/reference/compose-file/services/#ports',
  ],
  limitations: [
    'The reverse proxy is recognized by its image (nginx and relatives, Traefik, Caddy, HAProxy, Envoy) or by nginx configuration mounted into it. A proxy built from another image is treated as a backend.',
    'Data stores are reported by DC005 instead.',
    'A port bound to a loopback address such as 127.0.0.1 is reported at low severity, because only the host can reach it.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (service.role === 'proxy' || datastoreOf(service)) continue;
      for (const port of service.ports) {
        report({
          message: `service '${service.name}' is not the reverse proxy but publishes container port ${port.target}${udpSuffix(port)}; use \`expose\` and route through the proxy`,
          location: port.location,
          key: serviceKey(
            entry,
            `${port.hostIp ?? ''}:${port.published ?? ''}:${port.target}/${port.protocol}`,
          ),
          ...(isLoopback(port.hostIp) ? { severity: 'low' as const } : {}),
        });
      }
    }
  },
});
