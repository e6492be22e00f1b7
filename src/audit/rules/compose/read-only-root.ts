import { defineRule } from '../rule.js';
import { isTrue, serviceKey, servicesOf } from './helpers.js';

export const readOnlyRootRule = defineRule({
  id: 'DC021',
  name: 'root-filesystem-writable',
  title: "Service's root filesystem is writable",
  severity: 'low',
  layer: 'container',
  target: 'compose',
  control: 'container.read-only-root',
  status: 'stable',
  rationale:
    'With a writable root filesystem an attacker who gains code execution can drop tools, modify the application or plant persistence in the container. ' +
    '`read_only: true` makes the image immutable at run time, and the few folders that must be written (`/tmp`, caches) can be given as `tmpfs` or volumes.',
  fix: 'Set `read_only: true` and add `tmpfs: [/tmp]` or volumes for the paths the service writes.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#read_only',
    'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      if (isTrue(service.config.read_only)) continue;
      report({
        message: `service '${service.name}' has a writable root filesystem; set \`read_only: true\``,
        location: service.locate(['read_only']) ?? service.location,
        key: serviceKey(entry),
      });
    }
  },
});
