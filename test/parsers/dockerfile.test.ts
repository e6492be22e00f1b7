import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detailOf, isRootUser, parseDockerfile } from '../../src/audit/parsers/dockerfile.js';
import { parseImageRef } from '../../src/audit/parsers/image-ref.js';
import { SourceFile } from '../../src/audit/source.js';

const AWESOME_COMPOSE = join(import.meta.dirname, '../../../shared/corpus/awesome-compose');

function parse(text: string, path = 'Dockerfile') {
  return parseDockerfile(new SourceFile(path, text));
}

/** Returns the source text a location covers. */
function textAt(
  text: string,
  location: { startLine: number; startColumn: number; endLine: number; endColumn: number },
) {
  const file = new SourceFile('x', text);
  const lines = file.lines;
  const before =
    lines.slice(0, location.startLine - 1).join('\n').length + (location.startLine > 1 ? 1 : 0);
  const beforeEnd =
    lines.slice(0, location.endLine - 1).join('\n').length + (location.endLine > 1 ? 1 : 0);
  return text.slice(before + location.startColumn - 1, beforeEnd + location.endColumn - 1);
}

function listDockerfiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) found.push(...listDockerfiles(path));
    else if (/dockerfile/i.test(entry)) found.push(path);
  }
  return found.sort();
}

describe('parseDockerfile instructions', () => {
  it('keeps exact positions of instructions and arguments', () => {
    const text = 'FROM node:20-alpine\n\nRUN npm ci\n';
    const dockerfile = parse(text);
    const run = dockerfile.instructions[1]!;
    expect(run.keyword).toBe('RUN');
    expect(run.location).toEqual({
      path: 'Dockerfile',
      startLine: 3,
      startColumn: 1,
      endLine: 3,
      endColumn: 11,
    });
    expect(run.argLocation).toEqual({
      path: 'Dockerfile',
      startLine: 3,
      startColumn: 5,
      endLine: 3,
      endColumn: 11,
    });
    expect(textAt(text, run.argLocation)).toBe('npm ci');
  });

  it('joins continuations and drops comment lines inside them', () => {
    const text = [
      'FROM debian:12-slim',
      'RUN apt-get update \\',
      '  # the compiler',
      '',
      '  && apt-get install -y gcc',
    ].join('\n');
    const run = parse(text).instructions[1]!;
    expect(run.argText).toBe('apt-get update   && apt-get install -y gcc');
    expect(run.args).toEqual(['apt-get', 'update', '&&', 'apt-get', 'install', '-y', 'gcc']);
    expect(run.location.endLine).toBe(5);
    const offset = run.argText.indexOf('gcc');
    expect(
      text.slice(detailOf(run).offsets.at(offset)!, detailOf(run).offsets.at(offset)! + 3),
    ).toBe('gcc');
  });

  it('reads lowercase instructions', () => {
    const dockerfile = parse('from alpine:3.20\nrun apk add --no-cache curl\nuser app\n');
    expect(dockerfile.instructions.map((instruction) => instruction.keyword)).toEqual([
      'FROM',
      'RUN',
      'USER',
    ]);
    expect(dockerfile.userOf()).toMatchObject({ value: 'app', isRoot: false });
  });

  it('distinguishes exec and shell forms', () => {
    const dockerfile = parse(
      'FROM alpine:3.20\nCMD ["node", "server.js"]\nENTRYPOINT node server.js\nCMD [\'node\']\n',
    );
    const [, exec, shell, singleQuoted] = dockerfile.instructions;
    expect(exec!.jsonForm).toBe(true);
    expect(exec!.args).toEqual(['node', 'server.js']);
    expect(shell!.jsonForm).toBe(false);
    expect(shell!.args).toEqual(['node', 'server.js']);
    expect(singleQuoted!.jsonForm).toBe(false);
  });

  it('records flags without dashes, repeated flags in the detail', () => {
    const dockerfile = parse(
      'FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk --mount=type=secret,id=npm npm ci\nCOPY --from=0 --chown=app:app /a /b\n',
    );
    const [, run, copy] = dockerfile.instructions;
    expect(run!.flags).toEqual({ mount: 'type=cache,target=/var/cache/apk' });
    expect(detailOf(run!).flags.map((flag) => flag.value)).toEqual([
      'type=cache,target=/var/cache/apk',
      'type=secret,id=npm',
    ]);
    expect(run!.argText).toBe('npm ci');
    expect(copy!.flags).toEqual({ from: '0', chown: 'app:app' });
    expect(copy!.args).toEqual(['/a', '/b']);
  });

  it('reads key and value pairs of ENV, ARG and LABEL', () => {
    const dockerfile = parse('ARG A=1 B="two words" C\nFROM x:1\nENV K v w\nLABEL k="v"\n');
    expect(detailOf(dockerfile.globalArgs[0]!).properties.map((p) => [p.name, p.value])).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', undefined],
    ]);
    expect(detailOf(dockerfile.instructions[2]!).properties.map((p) => [p.name, p.value])).toEqual([
      ['K', 'v w'],
    ]);
    expect(detailOf(dockerfile.instructions[3]!).properties.map((p) => [p.name, p.value])).toEqual([
      ['k', 'v'],
    ]);
  });
});

describe('parseDockerfile heredocs and directives', () => {
  it('reads RUN heredocs and leaves their bodies out of argText', () => {
    const text =
      'FROM debian:12-slim\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nUSER app\n';
    const dockerfile = parse(text);
    const run = dockerfile.instructions[1]!;
    expect(run.argText).toBe('<<EOF');
    expect(run.heredocs).toEqual([
      { delimiter: 'EOF', body: 'apt-get update\napt-get install -y curl' },
    ]);
    expect(run.location.endLine).toBe(5);
    expect(dockerfile.instructions[2]!.keyword).toBe('USER');
    expect(dockerfile.issues).toEqual([]);
  });

  it('reads COPY heredocs with a destination', () => {
    const dockerfile = parse(
      'FROM nginx:1.27-alpine\nCOPY <<EOF /etc/nginx/conf.d/x.conf\nserver {}\nEOF\n',
    );
    const copy = dockerfile.instructions[1]!;
    expect(copy.argText).toBe('<<EOF /etc/nginx/conf.d/x.conf');
    expect(copy.heredocs[0]).toEqual({ delimiter: 'EOF', body: 'server {}' });
  });

  it('reports a heredoc that is never closed', () => {
    const dockerfile = parse('FROM debian:12-slim\nRUN <<EOF\napt-get update\n');
    expect(dockerfile.issues).toHaveLength(1);
    expect(dockerfile.issues[0]!.message).toContain('heredoc `EOF`');
    expect(dockerfile.issues[0]!.location.startLine).toBe(2);
    expect(dockerfile.issues[0]!.help).toContain('EOF');
  });

  it('turns a dockerfile-ast failure into an issue', () => {
    const dockerfile = parse("FROM alpine:3.20\nUSER ''\\\n\\#<<\nescape=`");
    expect(() => dockerfile.userOf()).not.toThrow();
    const text = ',]\\\n\t\\\n\\#--from=\r\n';
    expect(() => parse(text)).not.toThrow();
  });

  it('honours the backtick escape directive', () => {
    const text =
      '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\n';
    const dockerfile = parse(text);
    expect(dockerfile.escapeChar).toBe('`');
    expect(dockerfile.instructions[1]!.argText).toBe('dir   C:\\');
  });
});

describe('parseDockerfile stages', () => {
  it('substitutes global ARG defaults into FROM', () => {
    const dockerfile = parse(
      'ARG NODE_VERSION=20.11\nARG BASE=node:${NODE_VERSION}-alpine\nFROM ${BASE} AS build\n',
    );
    expect(dockerfile.globalArgs).toHaveLength(2);
    expect(dockerfile.stages[0]!.image).toMatchObject({
      raw: 'node:20.11-alpine',
      repository: 'library/node',
      tag: '20.11-alpine',
      unresolved: false,
    });
    expect(dockerfile.instructions[2]!.stage).toBe(0);
    expect(dockerfile.globalArgs[0]!.stage).toBe(-1);
  });

  it('leaves a variable without a default unresolved', () => {
    const dockerfile = parse('ARG VERSION\nFROM node:${VERSION}-alpine\n');
    expect(dockerfile.stages[0]!.image).toMatchObject({
      tag: '${VERSION}-alpine',
      unresolved: true,
    });
  });

  it('applies only ARGs declared before the first FROM', () => {
    const dockerfile = parse('FROM alpine:3.20\nARG IMAGE=alpine:3.12\nFROM $IMAGE\n');
    expect(dockerfile.stages[1]!.image).toMatchObject({ raw: '$IMAGE', unresolved: true });
  });

  it('reads --platform and stage names case-insensitively', () => {
    const dockerfile = parse(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN go build\nFROM build AS test\nFROM scratch\nCOPY --from=BUILD /app /app\n',
    );
    const [build, test, final] = dockerfile.stages;
    expect(build).toMatchObject({ index: 0, name: 'Build', platform: '$BUILDPLATFORM' });
    expect(test!.baseStage).toBe(0);
    expect(test!.image).toBeUndefined();
    expect(final!.image).toBeUndefined();
    expect(final!.baseStage).toBeUndefined();
    expect(final!.instructions.map((instruction) => instruction.keyword)).toEqual(['COPY']);
  });

  it('reads a later stage name as an image, as Docker does', () => {
    const dockerfile = parse('FROM later\nFROM ubuntu:24.04 AS later\n');
    expect(dockerfile.stages[0]!.baseStage).toBeUndefined();
    expect(dockerfile.stages[0]!.image).toMatchObject({ repository: 'library/later' });
  });

  it('reports instructions before the first FROM and a missing FROM', () => {
    expect(parse('RUN echo hi\nFROM alpine:3.20\n').issues[0]!.message).toContain(
      'before the first `FROM`',
    );
    expect(parse('ARG A=1\n').issues[0]!.message).toContain('no `FROM`');
    expect(parse('').issues).toEqual([]);
  });

  it('reports duplicate stage names and malformed FROM', () => {
    const duplicate = parse('FROM alpine:3.20 AS x\nFROM alpine:3.20 AS X\n');
    expect(duplicate.issues.map((issue) => issue.message)).toEqual([
      'stage name `X` is used by an earlier stage',
    ]);
    expect(parse('FROM alpine:3.20 AS\n').issues[0]!.message).toContain('is not of the form');
    expect(parse('FROM\n').issues[0]!.message).toBe('`FROM` has no base image');
  });

  it('reports unknown instructions and invalid ports', () => {
    const dockerfile = parse('FROM alpine:3.20\nRUNN echo\nEXPOSE 65536/tcp 80 443/quic ${PORT}\n');
    expect(dockerfile.issues.map((issue) => issue.message)).toEqual([
      'unknown instruction `RUNN`',
      '`EXPOSE` port `65536/tcp` is not a valid port',
      '`EXPOSE` port `443/quic` is not a valid port',
    ]);
  });
});

describe('userOf', () => {
  it('treats a missing USER as root', () => {
    expect(parse('FROM node:20-slim\nCMD ["node"]\n').userOf()).toEqual({
      value: 'root',
      isRoot: true,
    });
  });

  it('takes the last USER of the stage', () => {
    expect(parse('FROM alpine:3.20\nUSER root\nRUN id\nUSER app\n').userOf().isRoot).toBe(false);
    const dockerfile = parse('FROM alpine:3.20\nUSER app\nUSER root\n');
    expect(dockerfile.userOf()).toMatchObject({ value: 'root', isRoot: true });
    expect(dockerfile.userOf().instruction?.location.startLine).toBe(3);
  });

  it('follows FROM of an earlier stage', () => {
    const dockerfile = parse(
      'FROM alpine:3.20 AS base\nUSER 10001\nFROM base\nRUN id\nFROM alpine:3.20\n',
    );
    expect(dockerfile.userOf(1)).toMatchObject({ value: '10001', isRoot: false });
    expect(dockerfile.userOf(1).instruction?.location.startLine).toBe(2);
    expect(dockerfile.userOf()).toMatchObject({ value: 'root', isRoot: true });
  });

  it('is stage-aware: a builder USER does not reach the final stage', () => {
    const dockerfile = parse(
      'FROM node:20 AS build\nUSER node\nFROM node:20-slim\nCOPY --from=build /a /a\n',
    );
    expect(dockerfile.userOf(0).isRoot).toBe(false);
    expect(dockerfile.userOf().isRoot).toBe(true);
  });

  it('expands variables in USER', () => {
    const dockerfile = parse(
      'ARG UID=10001\nFROM alpine:3.20\nARG UID\nENV GID=10001\nUSER ${UID}:${GID}\n',
    );
    expect(dockerfile.userOf()).toMatchObject({ value: '10001:10001', isRoot: false });
    const zero = parse('FROM alpine:3.20\nARG UID=0\nUSER $UID\n');
    expect(zero.userOf()).toMatchObject({ value: '0', isRoot: true });
    const unknown = parse('FROM alpine:3.20\nARG UID\nUSER $UID\n');
    expect(unknown.userOf()).toMatchObject({ value: '$UID', isRoot: false });
  });

  it('knows base images that default to a non-root user', () => {
    const user = (image: string) => parse(`FROM ${image}\n`).userOf();
    expect(user('gcr.io/distroless/static-debian12:nonroot').isRoot).toBe(false);
    expect(user('gcr.io/distroless/static-debian12').isRoot).toBe(true);
    expect(user('cgr.dev/chainguard/node:latest').isRoot).toBe(false);
    expect(user('cgr.dev/chainguard/node:latest-dev').isRoot).toBe(true);
    expect(user('bitnami/redis:7.2').isRoot).toBe(false);
    expect(user('bitnami/minideb:bookworm').isRoot).toBe(true);
    expect(user('mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled').isRoot).toBe(false);
    expect(user('scratch').isRoot).toBe(true);
  });

  it('returns root for a file without stages', () => {
    expect(parse('').userOf()).toEqual({ value: 'root', isRoot: true });
  });
});

describe('isRootUser', () => {
  it.each([
    ['root', true],
    ['0', true],
    ['0:0', true],
    ['root:root', true],
    ['0:somegroup', true],
    ['000', true],
    ['+0:wheel', true],
    ['-0', true],
    ['00:1000', true],
    ['app', false],
    ['1001', false],
    ['1000:0', false],
    ['guest:root', false],
    ['01000', false],
  ])('reads %s as root: %s', (value, expected) => {
    expect(isRootUser(value)).toBe(expected);
  });
});

describe('parseImageRef', () => {
  it.each([
    ['node', { repository: 'library/node' }],
    ['node:20-alpine', { repository: 'library/node', tag: '20-alpine' }],
    ['docker.io/library/node:20', { registry: 'docker.io', repository: 'library/node', tag: '20' }],
    ['index.docker.io/node', { registry: 'docker.io', repository: 'library/node' }],
    ['bitnami/redis:7.2', { repository: 'bitnami/redis', tag: '7.2' }],
    ['localhost:5000/app:1', { registry: 'localhost:5000', repository: 'app', tag: '1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    [
      'ghcr.io/org/app@sha256:abc',
      { registry: 'ghcr.io', repository: 'org/app', digest: 'sha256:abc' },
    ],
    ['alpine:3.20@sha256:abc', { repository: 'library/alpine', tag: '3.20', digest: 'sha256:abc' }],
    [
      '${REGISTRY}/app:${TAG:-1}',
      { repository: '${REGISTRY}/app', tag: '${TAG:-1}', unresolved: true },
    ],
  ])('parses %s', (raw, expected) => {
    expect(parseImageRef(raw)).toMatchObject({ raw, unresolved: false, ...expected });
  });

  it('leaves the tag out of a digest-only reference', () => {
    expect(parseImageRef('ghcr.io/org/app@sha256:abc').tag).toBeUndefined();
  });
});

describe('parseDockerfile robustness', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const dockerfile = parse(text);
        dockerfile.userOf();
        return Array.isArray(dockerfile.issues);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on Dockerfile-like token soup', () => {
    const tokens = [
      'RUN ',
      'COPY ',
      'FROM ',
      'USER ',
      'ARG ',
      '<<',
      'EOF',
      '<<-EOF',
      '\n',
      '\r\n',
      '\\',
      '\\\n',
    ];
    const more = [
      ' ',
      '"',
      "'",
      '[',
      ']',
      '#',
      '# escape=`\n',
      '`',
      'a',
      '--from=',
      '=',
      '$',
      '{',
      '}',
      'AS ',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens, ...more), { maxLength: 80 }), (parts) => {
        const dockerfile = parse(parts.join(''));
        for (let i = 0; i < dockerfile.stages.length; i++) dockerfile.userOf(i);
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  const corpusPresent = existsSync(AWESOME_COMPOSE);

  it.skipIf(!corpusPresent)('parses every awesome-compose Dockerfile without issues', () => {
    const files = listDockerfiles(AWESOME_COMPOSE);
    expect(files.length).toBeGreaterThan(20);
    for (const path of files) {
      const dockerfile = parse(readFileSync(path, 'utf8'), relative(AWESOME_COMPOSE, path));
      expect(dockerfile.stages.length, path).toBeGreaterThan(0);
      expect(dockerfile.issues, path).toEqual([]);
    }
  });

  it.skipIf(!corpusPresent)('never throws on mutated awesome-compose Dockerfiles', () => {
    const texts = listDockerfiles(AWESOME_COMPOSE).map((path) => readFileSync(path, 'utf8'));
    const mutation = fc.record({
      file: fc.nat({ max: texts.length - 1 }),
      at: fc.nat(),
      remove: fc.nat({ max: 20 }),
      insert: fc.string({ maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = texts[mutations[0]!.file]!;
        for (const { at, remove, insert } of mutations) {
          const position = text.length === 0 ? 0 : at % text.length;
          text = text.slice(0, position) + insert + text.slice(position + remove);
        }
        const dockerfile = parse(text);
        for (let i = 0; i < dockerfile.stages.length; i++) dockerfile.userOf(i);
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});
