import { execFile } from 'node:child_process';

/** A failure of the `openssl` program: missing from PATH, timed out, or a non-zero exit. */
export class OpensslError extends Error {
  constructor(
    message: string,
    readonly missing = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OpensslError';
  }
}

/** Maximum time one `openssl` invocation may take, although P-256 key generation takes milliseconds. */
const TIMEOUT_MS = 30_000;

/**
 * Runs `openssl` with `args` in `cwd` and resolves with its standard output. Node's crypto module
 * generates keys but cannot sign X.509 certificates, which is why the program is used at all.
 */
export function runOpenssl(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      args,
      { cwd, timeout: TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new OpensslError('openssl was not found on PATH', true, { cause: error }));
          return;
        }
        const detail = stderr.trim() || error.message;
        reject(new OpensslError(`openssl ${args[0]} failed: ${detail}`, false, { cause: error }));
      },
    );
  });
}
