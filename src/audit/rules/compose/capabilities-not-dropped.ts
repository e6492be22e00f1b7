import { defineRule } from '../rule.js';
import { joinWords, serviceKey, servicesOf, stringsOf } from './helpers.js';

export const capabilitiesNotDroppedRule = defineRule({
  id: 'DC017',
  name: 'capabilities-not-dropped',
  title: "Service keeps Docker's default capabilities",
  severity: 'medium',
  layer: 'container',
  target: 'compose',
  control: 'container.drop-capabilities',
  status: 'stable',
  rationale:
    'Docker starts containers with about fourteen Linux capabilities, among them `CHOWN`, `DAC_OVERRIDE`, `SETUID`, `NET_RAW` and `MKNOD`, which most services never use. ' +
    'Each one widens what an attacker can do after a compromise, such as spoofing packets on the container network with `NET_RAW`. Dropping all and adding back the few needed keeps the set minimal.',
  fix: 'Add `cap_drop: [ALL]` and list only the capabilities the service needs under `cap_add`, such as `NET_BIND_SERVICE` for a port below 1024.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#cap_drop',
    'https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const dropped = stringsOf(service.config.cap_drop).map((cap) =>
        cap.toUpperCase().replace(/^CAP_/, ''),
      );
      if (dropped.includes('ALL')) continue;
      report({
        message:
          dropped.length > 0
            ? `service '${service.name}' drops only ${joinWords(dropped)}, and keeps the other default capabilities`
            : `service '${service.name}' does not drop Docker's default capabilities with \`cap_drop: [ALL]\``,
        location: service.locate(['cap_drop']) ?? service.location,
        key: serviceKey(entry),
      });
    }
  },
});
