import { defineRule } from '../rule.js';
import { allDirectives, analyzeNginx, directiveKey } from './helpers.js';

/** Returns the zone name of a `zone=NAME[:SIZE]` argument. */
function zoneName(arg: string | undefined): string | undefined {
  const match = /^zone=([^:]+)/.exec(arg ?? '');
  return match?.[1];
}

export const undefinedLimitZoneRule = defineRule({
  id: 'NG009',
  name: 'undefined-limit-zone',
  title: 'limit_req or limit_conn refers to an undefined zone',
  severity: 'high',
  layer: 'proxy',
  target: 'nginx',
  control: 'proxy.rate-limiting',
  status: 'stable',
  rationale:
    'A `limit_req` or `limit_conn` whose zone has no `limit_req_zone` or `limit_conn_zone` makes nginx reject the whole configuration at start-up ' +
    'with "zero size shared memory zone". The rate limit the directive promises is then never in force, and a reload fails.',
  fix: 'Define the zone in the `http` block, such as `limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;`, or correct the zone name.',
  limitations: [
    'Zones defined in files that are not part of the audited configuration are not seen.',
  ],
  references: [
    'https://nginx.org/en/docs/http/ngx_http_limit_req_module.html#limit_req_zone',
    'https://nginx.org/en/docs/http/ngx_http_limit_conn_module.html#limit_conn_zone',
  ],
  check(model, report) {
    for (const { config } of analyzeNginx(model)) {
      const directives = allDirectives(config);
      const requestZones = new Set<string>();
      const connectionZones = new Set<string>();
      for (const directive of directives) {
        const name = zoneName(directive.args.find((arg) => arg.startsWith('zone=')));
        if (name && directive.name === 'limit_req_zone') requestZones.add(name);
        if (name && directive.name === 'limit_conn_zone') connectionZones.add(name);
      }

      for (const directive of directives) {
        let zone: string | undefined;
        let index = 0;
        if (directive.name === 'limit_req') {
          index = directive.args.findIndex((arg) => arg.startsWith('zone='));
          zone = zoneName(directive.args[index]);
          if (zone === undefined || requestZones.has(zone)) continue;
        } else if (directive.name === 'limit_conn') {
          zone = directive.args[0];
          if (zone === undefined || connectionZones.has(zone)) continue;
        } else continue;
        const zoneDirective = directive.name === 'limit_req' ? 'limit_req_zone' : 'limit_conn_zone';
        report({
          message: `\`${directive.name}\` uses zone \`${zone}\`, which no \`${zoneDirective}\` defines, so nginx rejects the configuration`,
          location: directive.argLocations[index] ?? directive.location,
          key: directiveKey(directive),
        });
      }
    }
  },
});
