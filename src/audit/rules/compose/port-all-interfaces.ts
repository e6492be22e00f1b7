import { defineRule } from '../rule.js';
import { serviceKey, servicesOf, udpSuffix } from './helpers.js';

const ALL_INTERFACES = new Set([undefined, '', '0.0.0.0', '::', '[::]']);
/** Host ports of the reverse proxy that are meant to be public: HTTP and HTTPS (also QUIC). */
const PUBLIC_PROXY_PORTS = new Set(['80', '443']);

export const portAllInterfacesRule = defineRule({
  id: 'DC007',
  name: 'port-bound-to-all-interfaces',
  title: 'Published port listens on every host interface',
  severity: 'low',
  layer: 'network',
  target: 'compose',
  control: 'network.bind-host-interface',
  status: 'stable',
  rationale:
    'A port published without a host address listens on every interface of the host, public ones included, and Docker opens the host firewall for it. ' +
    'Naming the interface keeps a port that is meant for a load balancer, a VPN or local tools from being reachable by everyone.',
  fix: 'Prefix the mapping with the address to listen on, as in `"127.0.0.1:8080:80"`, or set `host_ip` in the long syntax.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#ports',
    'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  ],
  limitations: [
    'Host ports 80 and 443 of the reverse proxy are not reported, because they are meant to be public. Other public ports need a suppression with a reason.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const isProxy = entry.service.role === 'proxy';
      for (const port of entry.service.ports) {
        if (!ALL_INTERFACES.has(port.hostIp)) continue;
        if (isProxy && PUBLIC_PROXY_PORTS.has(port.published ?? '')) continue;
        report({
          message: `port ${port.published ?? port.target}${udpSuffix(port)} of service '${entry.service.name}' listens on all host interfaces`,
          location: port.location,
          key: serviceKey(entry, `${port.published ?? ''}:${port.target}/${port.protocol}`),
        });
      }
    }
  },
});
