import type { ComposeService } from '../../model/types.js';
import { valueAt } from './helpers.js';

/** True when a resource value is set and not zero (`0` means no limit to Docker). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !/^0+(\.0*)?[a-z]*$/i.test(String(value).trim());
}

/** The value of `deploy.resources.<section>.<key>`, or of the legacy top-level key. */
export function resourceValue(
  service: ComposeService,
  section: 'limits' | 'reservations',
  key: string,
  legacyKeys: string[],
): unknown {
  const modern = valueAt(service.config, ['deploy', 'resources', section, key]);
  if (modern !== undefined) return modern;
  for (const legacy of legacyKeys) {
    if (service.config[legacy] !== undefined) return service.config[legacy];
  }
  return undefined;
}
