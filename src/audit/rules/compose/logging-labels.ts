import { defineRule } from '../rule.js';
import { isMapping, joinWords, serviceKey, servicesOf } from './helpers.js';

/** Drivers with neither a `labels` nor a `tag` option. */
const WITHOUT_LABELS = new Set(['none', 'local', 'etwlogs', 'logentries']);

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
    "When logs from many containers meet in one aggregator, those fields are what lets an investigator filter one service's events and correlate an incident across services.",
  fix: 'Give the service labels such as `service=backend` and list them in `logging.options.labels`, or set `logging.options.tag`.',
  references: [
    'https://docs.docker.com/engine/logging/log_tags/',
    'https://docs.docker.com/engine/logging/drivers/json-file/#options',
  ],
  limitations: [
    'Drivers that take neither option (`none`, `local`, `etwlogs`, `logentries`) are not reported.',
    'The `labels` option passes when at least one listed label is set on the service. Labels from a Dockerfile `LABEL` or a pulled image are not read, so a service that relies on them is reported.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const logging = isMapping(service.config.logging) ? service.config.logging : undefined;
      const driver = typeof logging?.driver === 'string' ? logging.driver : 'json-file';
      if (WITHOUT_LABELS.has(driver)) continue;
      const options = isMapping(logging?.options) ? logging.options : {};
      const labelled = ['labels-regex', 'env', 'env-regex', 'tag'].some(
        (key) => options[key] !== undefined,
      );
      if (labelled) continue;
      if (options.labels !== undefined) {
        const missing = missingLabels(String(options.labels), service.config.labels);
        if (missing.length === 0) continue;
        report({
          message: `service '${service.name}' logs the labels ${joinWords(missing.map((name) => `'${name}'`))}, which the service does not set, so its records carry no label`,
          location: service.locate(['logging', 'options', 'labels'], 'value') ?? service.location,
          key: serviceKey(entry, 'unset-labels'),
        });
        continue;
      }
      report({
        message: `service '${service.name}' logs without \`labels\` or \`tag\`, so its records cannot be told apart in an aggregator`,
        location:
          service.locate(logging?.options ? ['logging', 'options'] : logging ? ['logging'] : []) ??
          service.location,
        key: serviceKey(entry),
      });
    }
  },
});

/** Lists the keys of a `labels` logging option, when none of them is a label of the service. */
function missingLabels(option: string, labels: unknown): string[] {
  const names = option
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const set = isMapping(labels) ? labels : {};
  return names.some((name) => Object.hasOwn(set, name)) ? [] : names;
}
