import type { Location } from '../../../finding/finding.js';
import type { ComposeService } from '../../model/types.js';
import { missingAt, valueAt } from './helpers.js';

/** True when a resource value is set and not zero (`0` means no limit to Docker). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !/^0+(\.0*)?[a-z]*$/i.test(String(value).trim());
}

/** A resource setting of a service and the key path it was read from. */
export interface ResourceSetting {
  value: unknown;
  path: string[];
}

/** Finds the setting `deploy.resources.<section>.<key>`, or else the first legacy top-level key set. */
export function resourceSetting(
  service: ComposeService,
  section: 'limits' | 'reservations',
  key: string,
  legacyKeys: string[],
): ResourceSetting | undefined {
  const path = ['deploy', 'resources', section, key];
  const modern = valueAt(service.config, path);
  if (modern !== undefined) return { value: modern, path };
  for (const legacy of legacyKeys) {
    if (service.config[legacy] !== undefined)
      return { value: service.config[legacy], path: [legacy] };
  }
  return undefined;
}

/** The value of `deploy.resources.<section>.<key>`, or of the legacy top-level key. */
export function resourceValue(
  service: ComposeService,
  section: 'limits' | 'reservations',
  key: string,
  legacyKeys: string[],
): unknown {
  return resourceSetting(service, section, key, legacyKeys)?.value;
}

/**
 * Describes a missing or zero limit `deploy.resources.limits.<key>`: a zero value is reported at
 * its key, a missing one at the deepest enclosing key the service sets.
 */
export function unsetLimit(
  service: ComposeService,
  setting: ResourceSetting | undefined,
  key: string,
  label: string,
): { message: string; location: Location } {
  const zeroAt = setting && setting.value !== null ? service.locate(setting.path) : undefined;
  if (setting && zeroAt) {
    const written = `${setting.path[setting.path.length - 1]}: ${String(setting.value)}`;
    return {
      message: `service '${service.name}' sets \`${written}\`, which Docker reads as no ${label} limit`,
      location: zeroAt,
    };
  }
  return {
    message: `service '${service.name}' has no ${label} limit`,
    location: missingAt(service, ['deploy', 'resources', 'limits', key]),
  };
}
