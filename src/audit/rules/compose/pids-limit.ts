import { defineRule } from '../rule.js';
import { missingAt, serviceKey, servicesOf, valueAt } from './helpers.js';

export const pidsLimitRule = defineRule({
  id: 'DC012',
  name: 'pids-limit-missing',
  title: 'Service has no process-count limit',
  severity: 'low',
  layer: 'container',
  target: 'compose',
  control: 'container.resource-limits',
  status: 'stable',
  rationale:
    "Without a limit on the number of processes, a fork bomb or a runaway worker pool in one container exhausts the host's process table, and no service on the host can start new processes. " +
    'Memory and CPU limits do not prevent this, because idle processes use little of either.',
  fix: "Set `deploy.resources.limits.pids` (or `pids_limit`) to a few times the service's normal process count, such as `200`.",
  references: [
    'https://docs.docker.com/reference/compose-file/services/#pids_limit',
    'https://docs.docker.com/reference/compose-file/deploy/#resources',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const modern = valueAt(service.config, ['deploy', 'resources', 'limits', 'pids']);
      const legacy = service.config.pids_limit;
      const value = modern ?? legacy;
      const limited = value !== undefined && value !== null && Number(value) > 0;
      if (limited) continue;
      const path =
        modern !== undefined ? ['deploy', 'resources', 'limits', 'pids'] : ['pids_limit'];
      const unlimited = value !== undefined && value !== null;
      report({
        message: unlimited
          ? `service '${service.name}' sets an unlimited process count (${String(value)})`
          : `service '${service.name}' has no process-count limit`,
        location: unlimited
          ? service.locate(path)!
          : missingAt(service, ['deploy', 'resources', 'limits', 'pids']),
        key: serviceKey(entry),
      });
    }
  },
});
