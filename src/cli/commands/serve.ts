import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { closeOnSignals, startServer } from '../../server/server.js';
import { UsageError } from '../errors.js';
import { asUsageError } from './db.js';

interface ServeFlags {
  host?: string;
  port?: number;
  data?: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port ${text} is invalid`, 'use a whole number from 0 to 65535');
  }
  return port;
}

/** Explains a failure to bind the listening socket, or returns null for other errors. */
function listenError(error: unknown, config: { host: string; port: number }): UsageError | null {
  const code = (error as { code?: string }).code;
  const address = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return new UsageError(
      `cannot listen on ${address}: the address is in use`,
      'stop the other server or choose another --port',
    );
  }
  if (code === 'EACCES') {
    return new UsageError(
      `cannot listen on ${address}: permission denied`,
      'use a port above 1023, or run behind the reverse proxy',
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new UsageError(
      `cannot listen on ${address}: the address is not on this machine`,
      'check --host or INFRAPRIME_HOST',
    );
  }
  return null;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'start the console API: embedded database in the data folder, or PostgreSQL with DATABASE_URL and Redis with REDIS_URL',
    )
    .option('--host <address>', 'address to listen on (default: INFRAPRIME_HOST or 127.0.0.1)')
    .option('--port <port>', 'TCP port (default: INFRAPRIME_PORT or 8080)', parsePort)
    .option(
      '--data <dir>',
      'folder of the embedded database (default: INFRAPRIME_DATA_DIR or ./.infraprime-data); unused when DATABASE_URL is set',
    )
    .action(async (flags: ServeFlags) => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(process.env, {
          host: flags.host,
          port: flags.port,
          dataDir: flags.data,
        });
      } catch (error) {
        throw asUsageError(error);
      }
      const logger = createLogger({ level: config.logLevel, environment: config.environment });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(config, logger);
      } catch (error) {
        logger.error({ err: error }, 'server failed to start');
        throw asUsageError(listenError(error, config) ?? error);
      }
      await closeOnSignals(server, logger, config.shutdownTimeoutMs);
    });
}
