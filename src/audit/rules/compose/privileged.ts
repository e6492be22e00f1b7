import { defineRule } from '../rule.js';
import { isTrue, serviceKey, servicesOf } from './helpers.js';

export const privilegedRule = defineRule({
  id: 'DC001',
  name: 'privileged-container',
  title: 'Service runs as a privileged container',
  severity: 'critical',
  layer: 'container',
  target: 'compose',
  control: 'container.no-privileged',
  status: 'stable',
  rationale:
    '`privileged: true` gives the container every capability, all host devices and no seccomp or AppArmor confinement. ' +
    'A process that escapes the application in such a container is root on the host, so every other container-level control stops mattering.',
  fix: 'Remove `privileged: true`; add only the single capability or device the service needs with `cap_add` or `devices`.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#privileged',
    'https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (!isTrue(service.config.privileged)) continue;
      report({
        message: `service '${service.name}' runs privileged, with full access to the host`,
        location: service.locate(['privileged'])!,
        key: serviceKey(entry),
      });
    }
  },
});
