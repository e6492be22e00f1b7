import { defineRule } from '../rule.js';

const HTTP_SOURCE = /^https?:\/\//i;
/** Git repository URLs, which `ADD` clones at a ref instead of downloading a file. */
const GIT_SOURCE = /\.git(#|$)/i;

export const remoteAddWithoutChecksumRule = defineRule({
  id: 'DF021',
  name: 'remote-add-without-checksum',
  title: '`ADD` downloads a URL without `--checksum`',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.build-integrity',
  status: 'stable',
  rationale:
    '`ADD <url>` puts whatever the server returns into the image. Without a checksum, nothing notices when the file ' +
    'behind the URL is replaced, whether by a new upstream release under the same name or by an attacker who ' +
    'controls the server, its DNS or a proxy on the way, and the image is no longer reproducible.',
  fix:
    'Pin the content with `ADD --checksum=sha256:<digest> <url> <dest>`, or download with `curl` in a `RUN` and ' +
    'check the file with `sha256sum -c` before using it.',
  limitations: [
    'Only `http://` and `https://` sources are checked; git repositories are not reported.',
    '`ADD --checksum` needs the Dockerfile frontend 1.6 or later, which current BuildKit uses by default.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#add---checksum',
    'https://docs.docker.com/build/building/best-practices/#add-or-copy',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        if (instruction.keyword !== 'ADD' || instruction.flags.checksum !== undefined) continue;
        const urls = instruction.args
          .slice(0, -1)
          .filter((source) => HTTP_SOURCE.test(source) && !GIT_SOURCE.test(source));
        if (urls.length === 0) continue;
        report({
          message: `\`ADD\` downloads \`${urls.join('`, `')}\` without \`--checksum\`, so a changed file goes unnoticed.`,
          location: instruction.location,
          key: `stage ${instruction.stage}: ADD ${instruction.argText}`,
          evidence: urls.join(' '),
        });
      }
    }
  },
});
