import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';

/** Service keys whose value `host` shares a host namespace, with what that namespace holds. */
const NAMESPACES: Array<[string, string]> = [
  ['network_mode', 'network stack'],
  ['pid', 'process table'],
  ['ipc', 'shared memory'],
  ['uts', 'hostname'],
  ['userns_mode', 'user namespace'],
  ['cgroup', 'cgroup namespace'],
];

export const hostNamespaceRule = defineRule({
  id: 'DC003',
  name: 'host-namespace-shared',
  title: 'Service shares a host namespace',
  severity: 'high',
  layer: 'network',
  target: 'compose',
  control: 'network.no-host-network',
  status: 'stable',
  rationale:
    'Namespaces are what separate a container from the host. With `network_mode: host` the service listens on every host interface, bypasses Docker networks and can reach services bound to localhost; ' +
    'with `pid: host` it sees and can signal every host process; with `ipc: host` it shares host memory segments; `userns_mode: host` turns off user-namespace remapping.',
  fix: 'Remove the `host` setting and use a Docker network with published or exposed ports instead.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#network_mode',
    'https://docs.docker.com/reference/compose-file/services/#pid',
    'https://docs.docker.com/engine/network/drivers/host/',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      for (const [key, holds] of NAMESPACES) {
        const value = service.config[key];
        if (typeof value !== 'string' || value.toLowerCase() !== 'host') continue;
        report({
          message: `service '${service.name}' sets \`${key}: host\`, sharing the host's ${holds}`,
          location: service.locate([key])!,
          key: serviceKey(entry, key),
        });
      }
    }
  },
});
