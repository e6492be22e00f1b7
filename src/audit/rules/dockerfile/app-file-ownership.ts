import { isRootUser } from '../../parsers/dockerfile.js';
import { defineRule } from '../rule.js';
import {
  chownedLater,
  copyDestination,
  differentUsers,
  firstChown,
  isAppPath,
  placedInstructions,
} from './ownership.js';
import { shippedStages } from './stages.js';

export const appFileOwnershipRule = defineRule({
  id: 'DF006',
  name: 'app-file-ownership',
  title: 'Application files are not owned by the user the image runs as',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.file-ownership',
  status: 'stable',
  rationale:
    '`COPY` and `ADD` create root-owned files unless told otherwise. When the image runs as a non-root user, that user ' +
    'then cannot write the uploads, caches or logs the application keeps in its own folder, and the usual way out is ' +
    'to go back to running as root. Files chowned to a user that the image never switches to show the opposite ' +
    'mistake: the `USER` line was forgotten.',
  fix:
    'Copy application files with `COPY --chown=<user>:<group>` for the user of the final `USER`, or `chown -R` the ' +
    'folder after copying. Where the code must stay read-only for the application, copy it with an explicit ' +
    '`--chmod` instead, which this rule accepts.',
  currentGuidance:
    'The security baseline asks for application files owned by the runtime user. Several hardening guides, and ' +
    'KICS\'s "Chown Flag Exists" query, prefer code that is owned by root and only readable by the runtime user, so ' +
    'that a compromised process cannot rewrite its own code. Both agree that the folders the application writes must ' +
    'be owned by its user. InfraPrime follows the baseline and accepts `COPY --chmod` without `--chown` as a ' +
    'deliberate read-only layout. The baseline also sets the owner with `RUN chown -R` after copying, which ' +
    'stores every file a second time in a new layer; `COPY --chown` sets the owner without that copy. Both are ' +
    'accepted.',
  limitations: [
    'The application folder is the final `WORKDIR`; without one, paths under `/app`, `/srv`, `/opt`, `/home`, ' +
      '`/usr/src/app` and `/var/www` count as application files.',
    'A `chown` in a later `RUN` is recognized when its path is the copied path or one of its parent folders.',
    'Owners given by name and by UID cannot be compared, so `--chown=node` with `USER 1000` is not reported.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#copy---chown---chmod',
    'https://docs.docker.com/build/building/best-practices/#user',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const index of shippedStages(model, dockerfile)) {
        const user = dockerfile.userOf(index);
        const placed = placedInstructions(dockerfile, index);
        const key = `stage ${dockerfile.stages[index]!.name ?? index}`;

        if (user.isRoot) {
          const chown = firstChown(dockerfile, placed);
          if (!chown || isRootUser(chown.owner)) continue;
          report({
            message: `Files are owned by \`${chown.owner}\`, but the image runs as root because no \`USER\` switches to that user.`,
            location: chown.instruction.location,
            key: `${key}: unused owner ${chown.owner}`,
            evidence: chown.instruction.argText,
          });
          continue;
        }

        const appDir = placed[placed.length - 1]?.workdir ?? '/';
        placed.forEach((entry, position) => {
          const destination = copyDestination(entry);
          if (!destination || !isAppPath(destination, appDir)) return;
          const { instruction } = entry;
          const owner = instruction.flags.chown;
          if (owner !== undefined) {
            if (!differentUsers(owner, user.value)) return;
            report({
              message: `\`${instruction.keyword}\` makes \`${destination}\` owned by \`${owner}\`, but the image runs as \`${user.value}\`.`,
              location: instruction.location,
              key: `${key}: ${instruction.argText}`,
              evidence: instruction.argText,
            });
            return;
          }
          if (instruction.flags.chmod !== undefined) return;
          if (chownedLater(dockerfile, placed, position + 1, destination)) return;
          report({
            message: `\`${instruction.keyword}\` leaves \`${destination}\` owned by root, but the image runs as \`${user.value}\`; add \`--chown=${user.value}\`.`,
            location: instruction.location,
            key: `${key}: ${instruction.argText}`,
            evidence: instruction.argText,
          });
        });
      }
    }
  },
});
