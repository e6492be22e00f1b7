import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';
import { isSet, resourceSetting, unsetLimit } from './resources.js';

export const memoryLimitRule = defineRule({
  id: 'DC009',
  name: 'memory-limit-missing',
  title: 'Service has no memory limit',
  severity: 'medium',
  layer: 'container',
  target: 'compose',
  control: 'container.resource-limits',
  status: 'stable',
  rationale:
    'Without a memory limit one container can use all host memory, whether through a leak, a large request or an attack, and the kernel then kills processes across the host, other services included. ' +
    'A limit confines the damage to the offending container, which is restarted on its own.',
  fix: "Set `deploy.resources.limits.memory`, such as `512M`, sized from the service's measured peak with some headroom.",
  references: [
    'https://docs.docker.com/reference/compose-file/deploy/#resources',
    'https://docs.docker.com/engine/containers/resource_constraints/',
  ],
  limitations: [
    'The legacy `mem_limit` key is accepted in place of `deploy.resources.limits.memory`, since Docker Compose applies both.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const setting = resourceSetting(service, 'limits', 'memory', ['mem_limit']);
      if (isSet(setting?.value)) continue;
      report({
        ...unsetLimit(service, setting, 'memory', 'memory'),
        key: serviceKey(entry),
      });
    }
  },
});
