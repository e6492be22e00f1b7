import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { openBackends } from './backends.js';
import type { ServerConfig } from './config.js';
import { migrate } from './db/migrate.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The address the server listens on, such as `http://127.0.0.1:8080`. */
  url: string;
}

/**
 * Opens the database and the store, applies pending migrations and starts listening. The
 * backends close after the app, once in-flight requests have finished.
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const backends = await openBackends(config, logger.child({ component: 'backends' }));
  let app: FastifyInstance;
  try {
    const applied = await migrate(backends.db);
    logger.info({ applied: applied.map((migration) => migration.version) }, 'migrations applied');
    app = await buildApp({ config, logger, ...backends });
    app.addHook('onClose', async () => {
      await backends.close();
      logger.info('database and store closed');
    });
  } catch (error) {
    await backends.close();
    throw error;
  }
  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  logger.info({ url }, 'server listening');
  return { app, url };
}

/**
 * Stops the server on SIGTERM or SIGINT: it stops accepting connections, lets in-flight
 * requests finish, then closes the pools. Connections still open after `timeoutMs` are cut.
 * Resolves once the server has stopped. The handlers are removed after the first signal, so a
 * second one ends the process at once.
 */
export function closeOnSignals(
  server: RunningServer,
  logger: Logger,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = async (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info({ signal }, 'server stopping');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'requests still running at the shutdown timeout; cutting them');
        server.app.server.closeAllConnections();
      }, timeoutMs);
      timer.unref();
      try {
        await server.app.close();
        logger.info('server stopped');
        resolve();
      } catch (error) {
        logger.error({ err: error }, 'server failed to stop cleanly');
        reject(error);
      } finally {
        clearTimeout(timer);
      }
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
