import { defineRule } from '../rule.js';

/** Names of the archives that `ADD` unpacks, which `COPY` cannot do. */
const LOCAL_ARCHIVE = /\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4))$/i;

/** Sources that `ADD` downloads: HTTP(S) URLs and git repositories. */
const REMOTE_SOURCE = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;

export const addInsteadOfCopyRule = defineRule({
  id: 'DF013',
  name: 'add-instead-of-copy',
  title: '`ADD` copies local files that `COPY` could copy',
  severity: 'low',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.build-integrity',
  status: 'stable',
  rationale:
    '`ADD` does more than copy: it unpacks local tar archives and downloads URLs. When the source is an ordinary ' +
    'local file, that extra behaviour only adds risk, because a file that turns out to be an archive is unpacked ' +
    'into the image instead of copied, and a later edit that swaps the path for a URL starts fetching unverified ' +
    'content. `COPY` does exactly one thing, so a reviewer can read it at a glance.',
  fix:
    'Replace `ADD` with `COPY` for local files and folders. Keep `ADD` only to unpack a local tar archive or to ' +
    'fetch a remote source with `--checksum`.',
  limitations: [
    'Archives are recognized by name (`.tar`, `.tar.gz`, `.tgz` and the like), while Docker decides by content.',
    'A source that comes from a variable, such as `ADD $JAR_FILE app.jar`, is reported, because it is a local path.',
    'Remote sources (URLs and git repositories) are not reported by this rule.',
  ],
  references: [
    'https://docs.docker.com/build/building/best-practices/#add-or-copy',
    'https://docs.docker.com/reference/dockerfile/#add',
    'https://github.com/hadolint/hadolint/wiki/DL3020',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        if (instruction.keyword !== 'ADD' || instruction.args.length < 2) continue;
        const sources = instruction.args.slice(0, -1);
        const plain = sources.filter(
          (source) => !REMOTE_SOURCE.test(source) && !LOCAL_ARCHIVE.test(source),
        );
        if (plain.length === 0) continue;
        const names = plain.map(describeSource).join(', ');
        report({
          message: `\`ADD\` only copies ${names}; use \`COPY\`, which neither unpacks archives nor downloads URLs.`,
          location: instruction.location,
          key: `stage ${instruction.stage}: ADD ${instruction.argText}`,
          evidence: instruction.argText,
        });
      }
    }
  },
});

/** Names a source for the message: the path, or the heredoc for inline content such as `<<EOF`. */
function describeSource(source: string): string {
  const heredoc = /^<<-?["']?([A-Za-z_][\w-]*)/.exec(source);
  return heredoc ? `heredoc \`${heredoc[1]}\`` : `\`${source}\``;
}
