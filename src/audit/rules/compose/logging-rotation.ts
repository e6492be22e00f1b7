import { defineRule } from '../rule.js';
import { isMapping, joinWords, serviceKey, servicesOf } from './helpers.js';

/** Drivers that write to local files; all others send logs off the host. */
const FILE_DRIVERS = new Set(['json-file', 'local']);

export const loggingRotationRule = defineRule({
  id: 'DC014',
  name: 'logging-not-rotated',
  title: 'Container logs are not rotated',
  severity: 'medium',
  layer: 'monitoring',
  target: 'compose',
  control: 'monitoring.log-rotation',
  status: 'stable',
  rationale:
    "Docker's default `json-file` driver keeps every log line forever, so a chatty or attacked service fills the host disk and takes every container down with it. " +
    'With `max-size` and `max-file` the driver rotates, keeping recent logs for investigation within a fixed budget; the `none` driver keeps nothing at all.',
  fix: 'Set `logging: { driver: json-file, options: { max-size: "10m", max-file: "3" } }`, or ship logs off the host with a remote driver.',
  currentGuidance:
    'The `local` driver rotates by default (20 MB per file, 5 files), so it passes without options; the baseline names only `json-file`.',
  references: [
    'https://docs.docker.com/engine/logging/drivers/json-file/',
    'https://docs.docker.com/engine/logging/drivers/local/',
    'https://docs.docker.com/reference/compose-file/services/#logging',
  ],
  limitations: [
    "Rotation set for the whole host in the Docker daemon's `daemon.json` is not visible to a static check.",
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const logging = service.config.logging;
      const say = (message: string, path: string[]) =>
        report({
          message: `service '${service.name}' ${message}`,
          location: service.locate(path) ?? service.location,
          key: serviceKey(entry),
        });
      if (!isMapping(logging)) {
        say('has no `logging` settings, so the default json-file driver grows without limit', []);
        continue;
      }
      const driver = typeof logging.driver === 'string' ? logging.driver : 'json-file';
      if (driver === 'none') {
        say('discards its logs with the `none` driver', ['logging', 'driver']);
        continue;
      }
      if (!FILE_DRIVERS.has(driver) || driver === 'local') continue;
      const options = isMapping(logging.options) ? logging.options : {};
      // json-file reads `max-size: -1` as no limit, which is also its default.
      const missing = ['max-size', 'max-file'].filter(
        (key) => options[key] === undefined || String(options[key]).trim() === '-1',
      );
      if (missing.length === 0) continue;
      say(
        `logs with json-file without ${joinWords(missing.map((key) => `\`${key}\``))}, so logs are not rotated`,
        isMapping(logging.options) ? ['logging', 'options'] : ['logging'],
      );
    }
  },
});
