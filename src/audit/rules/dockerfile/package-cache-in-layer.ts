import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { commandText, type RunCommand, runCommands } from './commands.js';
import { hasCacheMount, isInstall, type PackageCommand, packageCommands } from './packages.js';
import { shippedLayerStages } from './stages.js';

/** Where each package manager keeps what an install downloads, and how to clean it. */
const CACHES = {
  apt: {
    path: /^\/var\/lib\/apt\/lists(\/|$)/,
    mount: /^\/var\/lib\/apt(\/lists)?\/?$/,
    clean: undefined,
    left: 'the package lists in `/var/lib/apt/lists`',
    fix: () => '`rm -rf /var/lib/apt/lists/*`',
  },
  yum: {
    path: /^\/var\/cache\/(yum|dnf)(\/|$)/,
    mount: /^\/var\/cache\/(yum|dnf)\/?$/,
    clean: /^(yum|dnf|microdnf|tdnf)$/,
    left: 'the package cache in `/var/cache`',
    fix: (name: string) => `\`${name} clean all\``,
  },
  zypper: {
    path: /^\/var\/cache\/zypp(\/|$)/,
    mount: /^\/var\/cache\/zypp\/?$/,
    clean: /^zypper$/,
    left: 'the package cache in `/var/cache/zypp`',
    fix: () => '`zypper clean --all`',
  },
} as const;

export const packageCacheInLayerRule = defineRule({
  id: 'DF008',
  name: 'package-cache-in-layer',
  title: 'Package index or cache is left in the image layer',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.package-hygiene',
  status: 'stable',
  rationale:
    '`apt-get update` downloads package lists of tens of megabytes, and yum, dnf and zypper keep downloaded metadata ' +
    'and packages in a cache. A later `RUN` that deletes them cannot shrink the layer that wrote them, so the files ' +
    'ship with every copy of the image and record stale package versions that confuse later builds.',
  fix:
    'Clean up in the same `RUN` as the install: end it with `&& rm -rf /var/lib/apt/lists/*` for apt, ' +
    '`&& yum clean all` or `&& dnf clean all`, or `&& zypper clean --all`. A BuildKit cache mount ' +
    '(`RUN --mount=type=cache,target=/var/lib/apt/lists`) keeps the files out of the layer as well.',
  limitations: [
    '`apt-get clean` alone is not enough: it empties `/var/cache/apt/archives`, which official Debian and Ubuntu ' +
      'images already keep empty, but leaves `/var/lib/apt/lists`. Some scanners accept it; InfraPrime does not.',
    'Only the stages that end up in a shipped image are checked.',
    'Each `RUN` is reported once per package manager, at its first command that fills the cache ' +
      '(`apt-get update` or an install). A `RUN` that only cleans up cannot shrink an earlier layer, so it does not ' +
      'count.',
    'apk and pip caches are covered by DF009 and DF010.',
  ],
  references: [
    'https://github.com/hadolint/hadolint/wiki/DL3009',
    'https://docs.docker.com/build/building/best-practices/#apt-get',
    'https://docs.docker.com/build/cache/optimize/#use-cache-mounts',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      const stages = shippedLayerStages(model, dockerfile);
      for (const instruction of dockerfile.instructions) {
        if (!stages.has(instruction.stage)) continue;
        const reported = new Set<string>();
        for (const command of packageCommands(dockerfile, instruction)) {
          if (!(command.manager in CACHES) || reported.has(command.manager)) continue;
          if (!fillsCache(command)) continue;
          reported.add(command.manager);
          const cache = CACHES[command.manager as keyof typeof CACHES];
          if (hasCacheMount(instruction, cache.mount)) continue;
          if (cleansUp(dockerfile, instruction, cache)) continue;
          const text = commandText(dockerfile, command.command);
          report({
            message: `\`${command.command.name} ${command.action}\` leaves ${cache.left} in the layer; clean up with ${cache.fix(command.command.name)} in the same \`RUN\`.`,
            location: command.command.location,
            key: `stage ${instruction.stage}: ${text}`,
            evidence: text,
          });
        }
      }
    }
  },
});

/**
 * True for the commands that write the package lists or cache: `apt-get update` and installs
 * for apt, installs and metadata refreshes for yum, dnf and zypper.
 */
function fillsCache(command: PackageCommand): boolean {
  if (isInstall(command)) return true;
  if (command.manager === 'apt') return command.action === 'update';
  if (command.manager === 'yum')
    return command.action === 'makecache' || command.action === 'update';
  return command.manager === 'zypper' && (command.action === 'refresh' || command.action === 'ref');
}

function cleansUp(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
  cache: (typeof CACHES)[keyof typeof CACHES],
): boolean {
  return runCommands(dockerfile, instruction).some(
    (command: RunCommand) =>
      (command.name === 'rm' && command.args.some((arg) => cache.path.test(arg))) ||
      (cache.clean?.test(command.name) &&
        (command.args.includes('clean') || command.args.includes('cc'))),
  );
}
