import { defineRule } from '../rule.js';
import { isMapping, serviceKey, servicesOf } from './helpers.js';

/** Drivers without the `labels` option. */
const WITHOUT_LABELS = new Set(['none', 'awslogs', 'gcplogs', 'etwlogs', 'logentries']);

export const loggingLabelsRule = defineRule({
  id: 'DC015',
  name: 'logging-labels-missing',
  title: 'Container logs carry no labels',
  severity: 'low',
  layer: 'monitoring',
  target: 'compose',
  control: 'monitoring.log-labels',
  status: 'stable',
  rationale:
    'The logging `labels` (or `tag`) option copies the named container labels, such as service and environment, into every log record. ' +
    'When logs from many containers meet in one aggregator, those fields are what lets an investigator filter one service\'s events and correlate an incident across services.',
  fix: 'Give the service labels such as `service=backend` and list them in `logging.options.labels`, or set `logging.options.tag`.',
  references: [
    'https://docs.docker.com/engine/logging/log_tags/',
    'https://docs.docker.com/engine/logging/drivers/json-file/#options',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const logging = isMapping(service.config.logging) ? service.config.logging : undefined;
      const driver = typeof logging?.driver === 'string' ? logging.driver : 'json-file';
      if (WITHOUT_LABELS.has(driver)) continue;
      const options = isMapping(logging?.options) ? logging.options : {};
      const labelled = ['labels', 'labels-regex', 'env', 'tag'].some((key) => options[key] !== undefined);
      if (labelled) continue;
      report({
        message: `service '${service.name}' logs without \`labels\` or \`tag\`, so its records cannot be told apart in an aggregator`,
        location: service.locate(logging?.options ? ['logging', 'options'] : logging ? ['logging'] : []) ?? service.location,
        key: serviceKey(entry),
      });
    }
  },
});
