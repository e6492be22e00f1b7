import type { ParseIssue, YamlFile } from '../../model/types.js';
import { mergeTracked } from './merge.js';
import { baseDirOf, type PathBase, toRepoPath } from './paths.js';
import { cloneTracked, isMapping, locationAt, originOf } from './tracked.js';

export interface ExtendsContext {
  base: PathBase;
  issues: ParseIssue[];
  /** Reads and parses a compose file by repository path. */
  readYaml(repoPath: string): YamlFile | undefined;
  /** Returns the tracked, normalized `services` mapping of a file named by `extends.file`. */
  servicesOf(yaml: YamlFile): Record<string, unknown> | undefined;
}

type Services = Record<string, unknown>;

/**
 * Resolves `extends` for every service of one file, as Compose does before merging files: the
 * base service (from the same file, or from `extends.file`) is copied and the service is merged
 * over it with the usual merge rules. Chains are followed and cycles reported.
 */
export function applyExtends(services: Services, fileKey: string, context: ExtendsContext): void {
  for (const name of Object.keys(services)) {
    resolveService(services, name, fileKey, context, [`${fileKey}#${name}`]);
  }
}

function resolveService(
  services: Services,
  name: string,
  fileKey: string,
  context: ExtendsContext,
  chain: string[],
): Record<string, unknown> | undefined {
  const service = services[name];
  if (!isMapping(service)) return undefined;
  const extendsValue = service.extends;
  if (extendsValue === undefined) return service;
  delete service.extends;

  const origin = originOf(service, 'extends')!;
  const reference = readReference(extendsValue);
  if (!reference) {
    context.issues.push({
      message: `'extends' of service '${name}' must name a service`,
      location: locationAt(origin),
      help: 'write `extends: base` or `extends: { service: base, file: common.yaml }`',
    });
    return service;
  }

  let baseServices = services;
  let baseKey = fileKey;
  if (reference.file !== undefined) {
    const fileOrigin = isMapping(extendsValue) ? originOf(extendsValue, 'file') : origin;
    const repoPath = toRepoPath(
      reference.file,
      baseDirOf(fileOrigin, context.base),
      context.base.root,
    );
    const yaml = repoPath === undefined ? undefined : context.readYaml(repoPath);
    const loaded = yaml ? context.servicesOf(yaml) : undefined;
    if (!loaded || repoPath === undefined) {
      context.issues.push({
        message: `service '${name}' extends '${reference.service}' from '${reference.file}', which cannot be read`,
        location: locationAt(fileOrigin ?? origin, 'value'),
        help: 'point `extends.file` at a compose file inside the audited folder',
      });
      return service;
    }
    baseServices = loaded;
    baseKey = repoPath;
  }

  const key = `${baseKey}#${reference.service}`;
  if (chain.includes(key)) {
    context.issues.push({
      message: `service '${name}' extends itself through ${[...chain, key].map((entry) => entry.split('#')[1]).join(' → ')}`,
      location: locationAt(origin),
      help: 'remove the `extends` that closes the cycle',
    });
    return service;
  }
  if (!isMapping(baseServices[reference.service])) {
    context.issues.push({
      message: `service '${name}' extends '${reference.service}', which is not defined${reference.file ? ` in '${reference.file}'` : ''}`,
      location: locationAt(origin),
      help: 'name a service that exists in that file',
    });
    return service;
  }

  const baseService = resolveService(baseServices, reference.service, baseKey, context, [
    ...chain,
    key,
  ]);
  if (!baseService) return service;
  const merged = mergeTracked(cloneTracked(baseService), service, ['services', name]);
  services[name] = merged;
  return merged as Record<string, unknown>;
}

function readReference(value: unknown): { service: string; file?: string } | undefined {
  if (typeof value === 'string') return { service: value };
  if (!isMapping(value) || typeof value.service !== 'string') return undefined;
  return typeof value.file === 'string'
    ? { service: value.service, file: value.file }
    : { service: value.service };
}
