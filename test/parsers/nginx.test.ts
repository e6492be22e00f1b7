import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NginxDirective } from '../../src/audit/model/types.js';
import { type IncludeResolver, looksLikeNginx, parseNginx } from '../../src/audit/parsers/nginx.js';
import { SourceFile } from '../../src/audit/source.js';

/** Builds a resolver over in-memory files; patterns are matched by exact path or `*` glob. */
function memoryResolver(files: Record<string, string>): IncludeResolver {
  const sources = new Map(
    Object.entries(files).map(([path, text]) => [path, new SourceFile(path, text)]),
  );
  return (pattern) => {
    const regex = new RegExp(
      `^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`,
    );
    return [...sources.values()].filter((file) => regex.test(file.path));
  };
}

function parse(text: string, files: Record<string, string> = {}) {
  return parseNginx(new SourceFile('nginx.conf', text), memoryResolver(files));
}

function names(directives: NginxDirective[] | undefined): string[] {
  return (directives ?? []).map((directive) => directive.name);
}

describe('parseNginx', () => {
  it('parses directives and nested blocks', () => {
    const config = parse(
      'http {\n  server {\n    listen 80;\n    location / { return 200; }\n  }\n}\n',
    );
    expect(config.issues).toEqual([]);
    const http = config.directives[0]!;
    expect(http.name).toBe('http');
    const server = http.block![0]!;
    expect(names(server.block)).toEqual(['listen', 'location']);
    const location = server.block![1]!;
    expect(location.args).toEqual(['/']);
    expect(location.parent).toBe(server);
    expect(location.block![0]!.parent).toBe(location);
  });
  it('reports directive and argument locations', () => {
    const config = parse('server {\n    add_header X-Frame-Options "DENY" always;\n}\n');
    const header = config.directives[0]!.block![0]!;
    expect(header.location).toEqual({
      path: 'nginx.conf',
      startLine: 2,
      startColumn: 5,
      endLine: 2,
      endColumn: 46,
    });
    expect(header.args).toEqual(['X-Frame-Options', 'DENY', 'always']);
    expect(header.argLocations[1]).toMatchObject({ startLine: 2, startColumn: 32, endColumn: 38 });
  });

  it('handles quotes, escapes and variables', () => {
    const config = parse(
      `log_format main '$remote_addr "$request"' "a\\"b";\nset $x \${host}suffix;\nreturn 200 'it\\'s';\n`,
    );
    expect(config.issues).toEqual([]);
    expect(config.directives[0]!.args).toEqual(['main', '$remote_addr "$request"', 'a"b']);
    expect(config.directives[1]!.args).toEqual(['$x', '${host}suffix']);
    expect(config.directives[2]!.args).toEqual(['200', "it's"]);
  });

  it('treats # as a comment only at the start of a token', () => {
    const config = parse('# leading comment\nadd_header X-Color red#blue; # trailing\n');
    expect(config.directives).toHaveLength(1);
    expect(config.directives[0]!.args).toEqual(['X-Color', 'red#blue']);
  });

  it('keeps regex locations with escapes and braces', () => {
    const config = parse(
      'server { location ~* \\.(png|jpg)$ { expires 30d; } location ~ ^/a{2}$ { } }',
    );
    const locations = config.directives[0]!.block!;
    expect(locations[0]!.args).toEqual(['~*', '\\.(png|jpg)$']);
    expect(names(locations[0]!.block)).toEqual(['expires']);
  });

  it('parses map and if bodies without treating entries as errors', () => {
    const config = parse(
      'map $http_origin $cors { default ""; "~^https://app\\.example\\.com$" $http_origin; }\n' +
        'server { if ($request_method = OPTIONS) { return 204; } }\n',
    );
    expect(config.issues).toEqual([]);
    const map = config.directives[0]!;
    expect(names(map.block)).toEqual(['default', '~^https://app\\.example\\.com$']);
    const ifBlock = config.directives[1]!.block![0]!;
    expect(ifBlock.args).toEqual(['($request_method', '=', 'OPTIONS)']);
  });

  it('replaces include with the included directives', () => {
    const config = parse('http {\n  include conf.d/*.conf;\n  server_tokens off;\n}\n', {
      'conf.d/a.conf': 'server { listen 80; include snippets/headers.conf; }\n',
      'conf.d/b.conf': 'server { listen 81; }\n',
      'snippets/headers.conf': 'add_header X-Frame-Options DENY always;\n',
    });
    expect(config.issues).toEqual([]);
    const http = config.directives[0]!;
    expect(names(http.block)).toEqual(['server', 'server', 'server_tokens']);
    const first = http.block![0]!;
    expect(first.file.path).toBe('conf.d/a.conf');
    expect(first.parent).toBe(http);
    const header = first.block![1]!;
    expect(header.name).toBe('add_header');
    expect(header.file.path).toBe('snippets/headers.conf');
    expect(header.parent).toBe(first);
    expect(config.files.map((file) => file.path)).toEqual([
      'nginx.conf',
      'conf.d/a.conf',
      'snippets/headers.conf',
      'conf.d/b.conf',
    ]);
  });

  it('reports a missing include at low severity', () => {
    const config = parse(
      'include extra/missing.conf;\ninclude /etc/nginx/mime.types;\ninclude none/*.conf;\n',
    );
    expect(config.issues).toHaveLength(1);
    expect(config.issues[0]!.severity).toBe('low');
    expect(config.issues[0]!.message).toContain('extra/missing.conf');
    expect(config.issues[0]!.location).toMatchObject({
      startLine: 1,
      startColumn: 9,
      endColumn: 27,
    });
  });

  it('detects include cycles', () => {
    const config = parse('include a.conf;\n', {
      'a.conf': 'include b.conf;\nlisten 1;\n',
      'b.conf': 'include a.conf;\nlisten 2;\n',
    });
    expect(config.issues).toHaveLength(1);
    expect(config.issues[0]!.message).toBe('include cycle: a.conf -> b.conf -> a.conf');
    expect(config.issues[0]!.location.path).toBe('b.conf');
    expect(config.directives.map((directive) => directive.args[0])).toEqual(['2', '1']);
  });

  it('detects a file including itself', () => {
    const config = parse('include nginx.conf;\n', { 'nginx.conf': 'include nginx.conf;\n' });
    expect(config.issues).toHaveLength(1);
    expect(config.issues[0]!.message).toContain('include cycle');
  });

  it('bounds the expansion of repeated includes', () => {
    const files: Record<string, string> = {};
    for (let level = 0; level < 30; level++) {
      files[`l${level}.conf`] = `include l${level + 1}.conf;\ninclude l${level + 1}.conf;\n`;
    }
    files['l30.conf'] = 'listen 80;\n';
    const started = performance.now();
    const config = parse('include l0.conf;\n', files);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(config.issues.some((issue) => issue.message.includes('more than'))).toBe(true);
  });

  it('reports unbalanced braces', () => {
    const unclosed = parse('http {\n  server {\n    listen 80;\n');
    expect(unclosed.issues).toHaveLength(1);
    expect(unclosed.issues[0]!.message).toContain('"http" block');
    expect(unclosed.issues[0]!.message).toContain('2 "}" missing');
    expect(unclosed.issues[0]!.location).toMatchObject({ startLine: 1, startColumn: 1 });

    const extra = parse('server { listen 80; }\n}\n');
    expect(extra.issues).toHaveLength(1);
    expect(extra.issues[0]!.message).toBe('unexpected "}" without a matching "{"');
    expect(extra.issues[0]!.location).toMatchObject({ startLine: 2, startColumn: 1, endColumn: 2 });
  });

  it('reports a missing semicolon and recovers', () => {
    const config = parse(
      'server {\n    listen 80\n    server_name example.com;\n    root /srv\n}\n',
    );
    expect(config.issues.map((issue) => issue.message)).toEqual([
      'missing ";" after "listen" directive at the end of the line',
      'missing ";" after "root" directive before "}"',
    ]);
    expect(config.issues[0]!.location).toMatchObject({
      startLine: 2,
      startColumn: 5,
      endColumn: 14,
    });
    expect(config.issues[0]!.help).toBe('end the "listen" directive with ";"');
    const server = config.directives[0]!;
    expect(names(server.block)).toEqual(['listen', 'server_name', 'root']);
    expect(server.block![0]!.args).toEqual(['80']);
  });

  it('keeps multi-line arguments together', () => {
    const config = parse(
      "log_format main '$remote_addr'\n  '$status';\nserver_name a.example\n  b.example;\n",
    );
    expect(config.issues).toEqual([]);
    expect(config.directives[0]!.args).toEqual(['main', '$remote_addr', '$status']);
    expect(config.directives[1]!.args).toEqual(['a.example', 'b.example']);
  });

  it('reports stray separators and unterminated strings', () => {
    const config = parse('; {\n}\nadd_header X "unterminated;\n');
    expect(config.issues.map((issue) => issue.message)).toEqual([
      'unexpected ";" without a directive name',
      'unexpected "{" without a directive name',
      'missing ";" after "add_header" directive at the end of the file',
      'quoted string starting here is never closed (expected ")',
    ]);
  });

  it('reports a character glued to a closing quote', () => {
    const config = parse('return 200 "ok"x;\n');
    expect(config.issues[0]!.message).toBe(
      'unexpected character "x" directly after a quoted string',
    );
  });

  it('survives 100,000 nested blocks', () => {
    const text = 'a {'.repeat(100_000);
    const config = parse(text);
    expect(config.directives).toHaveLength(1);
    expect(config.issues.length).toBeGreaterThan(0);
    const closed = parse(`${'location / {'.repeat(100_000)}${'}'.repeat(100_000)}`);
    expect(closed.issues).toEqual([]);
  });

  it('survives 100,000 bare braces', () => {
    const config = parse('{'.repeat(100_000));
    expect(config.directives).toEqual([]);
    expect(config.issues.length).toBeLessThanOrEqual(51);
    expect(config.issues.at(-1)!.message).toContain('the rest are not listed');
  });

  it('never throws when the resolver throws', () => {
    const config = parseNginx(new SourceFile('nginx.conf', 'include x.conf;\n'), () => {
      throw new Error('disk on fire');
    });
    expect(config.issues[0]!.message).toContain('disk on fire');
  });
});

describe('looksLikeNginx', () => {
  it('recognizes nginx configurations', () => {
    expect(looksLikeNginx('server {\n  listen 80;\n}\n')).toBe(true);
    expect(looksLikeNginx('location /api/ {\n proxy_pass http://api;\n}')).toBe(true);
    expect(looksLikeNginx('listen 8080;\nserver_name example.com;\n')).toBe(true);
    expect(looksLikeNginx('upstream api{ server api:3000; }')).toBe(true);
  });

  it('rejects other text', () => {
    expect(looksLikeNginx('const server = { listen: 80 };\n')).toBe(false);
    expect(looksLikeNginx('[mysqld]\nport = 3306\n')).toBe(false);
    expect(looksLikeNginx('listen 80;\n')).toBe(false);
    expect(looksLikeNginx(`location ${' '.repeat(100_000)}`)).toBe(false);
  });
});

const NGINX_PIECES = [
  'server',
  'location',
  '/',
  '{',
  '}',
  ';',
  '"',
  "'",
  '\\',
  '#',
  '$',
  '${',
  'include',
  ' ',
  '\n',
  'x',
  'if',
  '(',
  ')',
  'map',
  'add_header',
  'listen',
];

describe('parseNginx robustness', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const config = parse(text, { 'a.conf': text, 'b.conf': 'include a.conf;' });
        expect(Array.isArray(config.issues)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on nginx-like token soup', () => {
    const soup = fc
      .array(fc.constantFrom(...NGINX_PIECES), { maxLength: 200 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(soup, soup, (entry, included) => {
        const config = parse(`${entry}\ninclude *.conf;`, { 'a.conf': included, 'b.conf': entry });
        for (const issue of config.issues) {
          expect(issue.location.startLine).toBeGreaterThanOrEqual(1);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses binary junk without throwing', () => {
    const junk = Array.from({ length: 20_000 }, (_, index) =>
      String.fromCharCode((index * 7919) % 256),
    ).join('');
    const config = parse(junk);
    expect(config.issues.length).toBeGreaterThan(0);
  });

  it('parses every awesome-compose nginx file', () => {
    const root = '/work/shared/corpus/awesome-compose';
    if (!existsSync(root)) return;
    const paths = (readdirSync(root, { recursive: true }) as string[]).filter(
      (path) => /(^|\/)(nginx\.conf|[^/]*\.conf)$/.test(path) && /nginx|proxy/.test(path),
    );
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      const text = readFileSync(join(root, path), 'utf8');
      const config = parseNginx(new SourceFile(path, text), () => []);
      expect(
        config.issues.filter((issue) => issue.severity !== 'low'),
        path,
      ).toEqual([]);
      expect(config.directives.length, path).toBeGreaterThan(0);
    }
  });
});
