import { defineRule } from '../rule.js';
import { joinWords, missingAt, serviceKey, servicesOf } from './helpers.js';
import { isSet, resourceValue } from './resources.js';

export const reservationsRule = defineRule({
  id: 'DC011',
  name: 'resource-reservations-missing',
  title: 'Service reserves no memory or CPU',
  severity: 'low',
  layer: 'container',
  target: 'compose',
  control: 'container.resource-limits',
  status: 'stable',
  rationale:
    'Reservations tell the scheduler what a service needs to run, so it is not placed on a host that cannot hold it, and under memory pressure the kernel reclaims from containers above their reservation first. ' +
    'Without them an essential service such as the database competes on equal terms with batch jobs.',
  fix: "Set `deploy.resources.reservations.memory` and `deploy.resources.reservations.cpus` to the service's normal working load.",
  references: ['https://docs.docker.com/reference/compose-file/deploy/#resources'],
  limitations: [
    'The legacy `mem_reservation` key is accepted for memory; there is no legacy key for reserved CPUs.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const memory = resourceValue(service, 'reservations', 'memory', ['mem_reservation']);
      const cpus = resourceValue(service, 'reservations', 'cpus', []);
      const missing = [isSet(memory) ? '' : 'memory', isSet(cpus) ? '' : 'cpus'].filter(Boolean);
      if (missing.length === 0) continue;
      report({
        message: `service '${service.name}' reserves no ${joinWords(
          missing.map((key) => (key === 'cpus' ? 'CPU' : key)),
          'or',
        )}`,
        location: missingAt(service, ['deploy', 'resources', 'reservations', missing[0]!]),
        key: serviceKey(entry),
      });
    }
  },
});
