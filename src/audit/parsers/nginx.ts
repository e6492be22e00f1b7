import type { NginxConfig, NginxDirective, ParseIssue } from '../model/types.js';
import type { SourceFile } from '../source.js';
import {
  CLOSE,
  OPEN,
  SEMICOLON,
  type Token,
  type TokenizedFile,
  tokenizeNginx,
} from './nginx-tokens.js';

/**
 * Resolves an `include` argument written in `fromFile` to repository paths, mapping container
 * paths through the mounts of the service that loads the configuration.
 */
export type IncludeResolver = (pattern: string, fromFile: SourceFile) => SourceFile[];

/** Blocks whose bodies are lookup tables, not directives: `map`, `types`, `geo` and similar. */
export const TABLE_BLOCKS: ReadonlySet<string> = new Set([
  'map',
  'types',
  'geo',
  'split_clients',
  'charset_map',
  'match',
]);

/** Files the official nginx images ship, which a repository rarely contains. */
const IMAGE_FILES = new Set([
  'mime.types',
  'fastcgi_params',
  'fastcgi.conf',
  'scgi_params',
  'uwsgi_params',
  'koi-utf',
  'koi-win',
  'win-utf',
]);

/**
 * Common directive names. A line that starts with one of them after a directive with arguments
 * most likely follows a missing `;`.
 */
const KNOWN_DIRECTIVES = new Set(
  `access_log add_header alias allow auth_basic auth_basic_user_file autoindex charset
  client_body_buffer_size client_body_timeout client_header_buffer_size client_header_timeout
  client_max_body_size default_type deny error_log error_page etag events expires fastcgi_param
  fastcgi_pass geo gzip gzip_types http if include index keepalive_timeout large_client_header_buffers
  limit_conn limit_conn_zone limit_req limit_req_status limit_req_zone listen location log_format
  map more_set_headers pid proxy_buffering proxy_buffers proxy_cache proxy_cache_path
  proxy_connect_timeout proxy_http_version proxy_hide_header proxy_pass proxy_read_timeout
  proxy_redirect proxy_send_timeout proxy_set_header resolver return rewrite root satisfy
  send_timeout sendfile server server_name server_tokens ssl_certificate ssl_certificate_key
  ssl_ciphers ssl_dhparam ssl_prefer_server_ciphers ssl_protocols ssl_session_cache
  ssl_session_tickets ssl_session_timeout ssl_stapling tcp_nodelay tcp_nopush try_files types
  upstream user uwsgi_pass worker_connections worker_processes grpc_pass`.split(/\s+/),
);

/** Directives whose arguments often continue on the next line, such as `log_format`. */
const MULTILINE_DIRECTIVES = new Set([
  'log_format',
  'ssl_ciphers',
  'server_name',
  'proxy_cache_path',
]);

/** Include nesting beyond which nginx configurations are assumed to be hostile or broken. */
const MAX_INCLUDE_DEPTH = 64;
/** Tokens processed across all includes; bounds the work when a file is included many times. */
const MAX_TOKENS = 2_000_000;
/** Issues reported per file before the rest are summarized in one issue. */
const MAX_ISSUES_PER_FILE = 50;

interface Block {
  children: NginxDirective[];
  parent?: NginxDirective;
  table: boolean;
}

interface Frame {
  file: SourceFile;
  tokens: Token[];
  position: number;
  blocks: Block[];
}

interface Statement {
  words: Token[];
  /** The `;`, `{` or `}` that ended the statement; undefined at end of file or a missing `;`. */
  terminator?: Token;
}

/**
 * Parses an nginx configuration from its entry file, following `include` through `resolveInclude`.
 * Never throws: syntax errors, include cycles and missing includes become issues. The parser
 * keeps its own stack, so deep nesting cannot overflow the JavaScript call stack.
 */
export function parseNginx(entry: SourceFile, resolveInclude: IncludeResolver): NginxConfig {
  return new NginxParser(entry, resolveInclude).parse();
}

class NginxParser {
  private readonly directives: NginxDirective[] = [];
  private readonly issues: ParseIssue[] = [];
  private readonly files = new Map<string, SourceFile>();
  private readonly tokenCache = new Map<string, TokenizedFile>();
  private readonly issueCounts = new Map<string, number>();
  private readonly frames: Frame[] = [];
  private readonly activePaths: string[] = [];
  private tokensProcessed = 0;
  private budgetReported = false;

  constructor(
    private readonly entry: SourceFile,
    private readonly resolveInclude: IncludeResolver,
  ) {}

  parse(): NginxConfig {
    this.pushFrame(this.entry, { children: this.directives, table: false });
    while (this.frames.length > 0) {
      const frame = this.frames[this.frames.length - 1]!;
      this.step(frame);
    }
    const files = [...this.files.values()];
    return {
      entry: this.entry,
      directives: this.directives,
      files,
      issues: this.sortIssues(files),
    };
  }

  /** Orders issues by file reading order, then by position. */
  private sortIssues(files: SourceFile[]): ParseIssue[] {
    const order = new Map(files.map((file, index) => [file.path, index]));
    const rank = (issue: ParseIssue) => order.get(issue.location.path) ?? files.length;
    return this.issues.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        a.location.startLine - b.location.startLine ||
        a.location.startColumn - b.location.startColumn,
    );
  }

  private pushFrame(file: SourceFile, block: Block): void {
    let tokenized = this.tokenCache.get(file.path);
    if (!tokenized) {
      tokenized = tokenizeNginx(file);
      this.tokenCache.set(file.path, tokenized);
      for (const issue of tokenized.issues) this.addIssue(file, issue);
    }
    this.frames.push({ file, tokens: tokenized.tokens, position: 0, blocks: [block] });
    this.activePaths.push(file.path);
  }

  private popFrame(): void {
    this.frames.pop();
    this.activePaths.pop();
  }

  /** Reads one statement of the top frame and applies it. */
  private step(frame: Frame): void {
    // Registered when reading starts, so that `files` lists files in the order nginx reads them.
    if (frame.position === 0) this.files.set(frame.file.path, frame.file);
    const statement = this.readStatement(frame);
    const block = frame.blocks[frame.blocks.length - 1]!;
    const { words, terminator } = statement;

    if (!terminator || terminator.type === CLOSE) {
      if (words.length > 0 && !this.budgetReported)
        this.reportMissingSemicolon(frame, words, terminator);
      if (words.length > 0) this.addDirective(frame, block, words, undefined);
      if (terminator) this.closeBlock(frame, terminator);
      else if (frame.position >= frame.tokens.length) this.finishFrame(frame);
      return;
    }

    if (words.length === 0) {
      this.reportStray(frame, terminator);
      if (terminator.type === OPEN)
        frame.blocks.push({ children: [], parent: block.parent, table: false });
      return;
    }

    const directive = this.addDirective(frame, block, words, terminator);
    if (terminator.type === OPEN && directive) {
      directive.block = [];
      frame.blocks.push({
        children: directive.block,
        parent: directive,
        table: TABLE_BLOCKS.has(directive.name),
      });
    } else if (terminator.type === OPEN) {
      frame.blocks.push({ children: [], parent: block.parent, table: false });
    }
  }

  private readStatement(frame: Frame): Statement {
    const words: Token[] = [];
    const block = frame.blocks[frame.blocks.length - 1]!;
    while (frame.position < frame.tokens.length) {
      if (!this.takeBudget(frame)) return { words };
      const token = frame.tokens[frame.position]!;
      if (token.type !== 0) {
        frame.position++;
        return { words, terminator: token };
      }
      if (words.length >= 2 && this.startsNextDirective(words[0]!, token, block)) return { words };
      words.push(token);
      frame.position++;
    }
    return { words };
  }

  /** Stops a runaway expansion, such as a file included thousands of times. */
  private takeBudget(frame: Frame): boolean {
    this.tokensProcessed++;
    if (this.tokensProcessed <= MAX_TOKENS) return true;
    if (!this.budgetReported) {
      this.budgetReported = true;
      const token = frame.tokens[frame.position]!;
      this.addIssue(frame.file, {
        message: `configuration expands to more than ${MAX_TOKENS} tokens through include; the rest was not read`,
        location: frame.file.rangeAt(token.start, token.end),
        help: 'check for a file that is included many times over, and include it once',
      });
    }
    frame.position = frame.tokens.length;
    return false;
  }

  private startsNextDirective(name: Token, next: Token, block: Block): boolean {
    if (!next.newlineBefore || next.quoted || block.table) return false;
    if (!KNOWN_DIRECTIVES.has(name.value) || MULTILINE_DIRECTIVES.has(name.value)) return false;
    return KNOWN_DIRECTIVES.has(next.value);
  }

  private addDirective(
    frame: Frame,
    block: Block,
    words: Token[],
    terminator: Token | undefined,
  ): NginxDirective | undefined {
    const file = frame.file;
    const [nameToken, ...argTokens] = words as [Token, ...Token[]];
    const last = words[words.length - 1]!;
    const directive: NginxDirective = {
      name: nameToken.value,
      args: argTokens.map((token) => token.value),
      location: file.rangeAt(nameToken.start, terminator ? terminator.end : last.end),
      argLocations: argTokens.map((token) => file.rangeAt(token.start, token.end)),
      file,
      parent: block.parent,
    };

    if (directive.name === 'include' && !block.table && terminator?.type !== OPEN) {
      this.include(frame, block, directive);
      return undefined;
    }
    block.children.push(directive);
    return directive;
  }

  private include(frame: Frame, block: Block, directive: NginxDirective): void {
    const pattern = directive.args[0];
    if (directive.args.length !== 1 || pattern === undefined) {
      this.addIssue(frame.file, {
        message: `"include" takes exactly one file name or pattern, found ${directive.args.length}`,
        location: directive.location,
        help: 'write one "include" directive per file or glob pattern',
      });
      return;
    }

    const files = this.resolve(frame, directive, pattern);
    // Pushed in reverse so that the first matching file is read first.
    for (let index = files.length - 1; index >= 0; index--) {
      const file = files[index]!;
      if (!this.canEnter(frame, directive, file)) continue;
      this.pushFrame(file, { children: block.children, parent: block.parent, table: block.table });
    }
  }

  private resolve(frame: Frame, directive: NginxDirective, pattern: string): SourceFile[] {
    let files: SourceFile[];
    try {
      files = this.resolveInclude(pattern, frame.file);
    } catch (error) {
      this.addIssue(frame.file, {
        message: `could not resolve include "${pattern}": ${(error as Error).message}`,
        location: directive.location,
        help: 'this is a bug in InfraPrime; the include was skipped',
      });
      return [];
    }

    const isGlob = /[*?[]/.test(pattern);
    const base = pattern.slice(pattern.lastIndexOf('/') + 1);
    if (files.length === 0 && !isGlob && !IMAGE_FILES.has(base)) {
      this.addIssue(frame.file, {
        message: `included file "${pattern}" was not found in the repository or in the proxy's mounts`,
        location: directive.argLocations[0] ?? directive.location,
        help: 'add the file to the repository and mount it, or remove the include; checks skip its content',
        severity: 'low',
      });
    }
    return files;
  }

  private canEnter(frame: Frame, directive: NginxDirective, file: SourceFile): boolean {
    const cycleStart = this.activePaths.indexOf(file.path);
    if (cycleStart !== -1) {
      const chain = [...this.activePaths.slice(cycleStart), file.path].join(' -> ');
      this.addIssue(frame.file, {
        message: `include cycle: ${chain}`,
        location: directive.location,
        help: `remove the include of "${file.path}" from one of these files; nginx rejects the cycle`,
      });
      return false;
    }
    if (this.frames.length >= MAX_INCLUDE_DEPTH) {
      this.addIssue(frame.file, {
        message: `includes are nested more than ${MAX_INCLUDE_DEPTH} levels deep; "${file.path}" was not read`,
        location: directive.location,
        help: 'flatten the include chain',
      });
      return false;
    }
    return true;
  }

  private closeBlock(frame: Frame, token: Token): void {
    if (frame.blocks.length > 1) {
      frame.blocks.pop();
      return;
    }
    this.addIssue(frame.file, {
      message: 'unexpected "}" without a matching "{"',
      location: frame.file.rangeAt(token.start, token.end),
      help: 'remove the extra "}" or add the "{" it should close',
    });
  }

  private finishFrame(frame: Frame): void {
    const unclosed = frame.blocks.length - 1;
    if (unclosed > 0) {
      const outer = frame.blocks[1]!.parent;
      const at = outer && outer.file === frame.file ? outer.location : frame.file.fileStart();
      const what = outer ? `"${outer.name}" block` : 'block';
      this.addIssue(frame.file, {
        message: `the ${what} opened here is never closed (${unclosed} "}" missing at the end of the file)`,
        location: at,
        help: 'add the missing "}" so that every "{" is closed in the same file',
      });
    }
    this.popFrame();
  }

  private reportMissingSemicolon(
    frame: Frame,
    words: Token[],
    terminator: Token | undefined,
  ): void {
    const last = words[words.length - 1]!;
    const before = terminator
      ? `before "}"`
      : frame.position >= frame.tokens.length
        ? 'at the end of the file'
        : 'at the end of the line';
    this.addIssue(frame.file, {
      message: `missing ";" after "${words[0]!.value}" directive ${before}`,
      location: frame.file.rangeAt(words[0]!.start, last.end),
      help: `end the "${words[0]!.value}" directive with ";"`,
    });
  }

  private reportStray(frame: Frame, token: Token): void {
    const char = token.type === SEMICOLON ? ';' : '{';
    this.addIssue(frame.file, {
      message: `unexpected "${char}" without a directive name`,
      location: frame.file.rangeAt(token.start, token.end),
      help:
        token.type === SEMICOLON
          ? 'remove the extra ";"'
          : 'write the block directive, such as "location /", before "{"',
    });
  }

  private addIssue(file: SourceFile, issue: ParseIssue): void {
    const count = (this.issueCounts.get(file.path) ?? 0) + 1;
    this.issueCounts.set(file.path, count);
    if (count <= MAX_ISSUES_PER_FILE) {
      this.issues.push(issue);
      return;
    }
    if (count === MAX_ISSUES_PER_FILE + 1) {
      this.issues.push({
        message: `more than ${MAX_ISSUES_PER_FILE} syntax problems in ${file.path}; the rest are not listed`,
        location: issue.location,
        help: 'fix the problems listed first; later ones often follow from them',
      });
    }
  }
}

const BLOCK_LINE = /^(?:(?:server|http|events)\s*|(?:upstream|location)\s[^{;]*)\{/;
const DIRECTIVE_LINE =
  /^(?:listen|server_name|proxy_pass|fastcgi_pass|root|add_header|worker_processes|worker_connections|proxy_set_header|try_files|ssl_certificate|error_log|access_log)\s[^;{}]*;/;

/**
 * Tells whether text looks like an nginx configuration: a line that opens a `server`, `http`,
 * `events`, `upstream` or `location` block, or two lines with typical directives. Reads the
 * first 64 KiB only, line by line, in linear time.
 */
export function looksLikeNginx(text: string): boolean {
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  let directives = 0;
  let start = 0;
  while (start < head.length) {
    const newline = head.indexOf('\n', start);
    const end = newline === -1 ? head.length : newline;
    const line = head.slice(start, end).trimStart();
    start = end + 1;
    if (BLOCK_LINE.test(line)) return true;
    if (DIRECTIVE_LINE.test(line)) directives++;
    if (directives >= 2) return true;
  }
  return false;
}
