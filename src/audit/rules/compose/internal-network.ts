import { defineRule } from '../rule.js';
import { datastoreOf, serviceKey, servicesOf } from './helpers.js';

export const internalNetworkRule = defineRule({
  id: 'DC008',
  name: 'backend-not-on-internal-network',
  title: 'Application or data service is not on an internal network',
  severity: 'medium',
  layer: 'network',
  target: 'compose',
  control: 'network.internal-networks',
  status: 'stable',
  rationale:
    'A network with `internal: true` has no route to the outside, so a compromised application or database cannot download tools, reach a command-and-control server or send data out. ' +
    'Every service behind the reverse proxy, frontend and backend alike, and every data store only needs to talk to the proxy and to each other, which an internal network allows.',
  fix: 'Declare a network with `internal: true`, attach the application and data services only to it, and attach the reverse proxy to both it and a public network.',
  references: [
    'https://docs.docker.com/reference/compose-file/networks/#internal',
    'https://docs.docker.com/engine/network/',
  ],
  limitations: [
    'A service on an internal network and also on a non-internal one passes, because an application that calls external APIs needs that egress path.',
    'Every service that is neither the reverse proxy nor a recognized data store counts as an application service, whether it serves a frontend or an API.',
    'Services with `network_mode` are left to DC003.',
    'An `external` network counts as not internal, because its settings are not in the compose file.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service, project } = entry;
      if (service.role === 'proxy' && !datastoreOf(service)) continue;
      if (service.networkMode) continue;
      if (service.networks.some((name) => project.networks[name]?.internal === true)) continue;
      const kind = datastoreOf(service) ? 'data service' : 'application service';
      const names = service.networks.map((name) => `'${name}'`).join(', ');
      const joins =
        service.networks.length === 1
          ? `joins only the network ${names}, which is not \`internal: true\``
          : `joins only the networks ${names}, none of which is \`internal: true\``;
      report({
        message: `${kind} '${service.name}' ${joins}`,
        location: service.locate(['networks']) ?? service.location,
        key: serviceKey(entry),
      });
    }
  },
});
