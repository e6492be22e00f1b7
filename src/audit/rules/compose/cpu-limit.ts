import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';
import { isSet, resourceSetting, unsetLimit } from './resources.js';

export const cpuLimitRule = defineRule({
  id: 'DC010',
  name: 'cpu-limit-missing',
  title: 'Service has no CPU limit',
  severity: 'medium',
  layer: 'container',
  target: 'compose',
  control: 'container.resource-limits',
  status: 'stable',
  rationale:
    'A container without a CPU limit can take every core of the host, so a busy loop, a crypto miner or a flood of expensive requests starves the other services. ' +
    'A limit keeps the rest of the deployment responsive while one service is overloaded.',
  fix: "Set `deploy.resources.limits.cpus`, such as `'0.5'`, from the service's measured load.",
  references: [
    'https://docs.docker.com/reference/compose-file/deploy/#resources',
    'https://docs.docker.com/engine/containers/resource_constraints/#cpu',
  ],
  limitations: [
    'The legacy `cpus` and `cpu_quota` keys are accepted in place of `deploy.resources.limits.cpus`, since Docker Compose applies them too.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const setting = resourceSetting(service, 'limits', 'cpus', ['cpus', 'cpu_quota']);
      if (isSet(setting?.value)) continue;
      report({
        ...unsetLimit(service, setting, 'cpus', 'CPU'),
        key: serviceKey(entry),
      });
    }
  },
});
