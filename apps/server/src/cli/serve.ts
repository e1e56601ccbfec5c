import type { Config } from '../platform/config.ts';
import { composeTouchpoint } from '../main.ts';
import { ListenError } from '../platform/listen-error.ts';
import { firstRun, printFirstRun } from './first-run.ts';
import { progressLine } from './progress-line.ts';

/**
 * Runs the server until SIGINT/SIGTERM, then shuts down gracefully: stop accepting, finish
 * in-flight requests and their commits, stop the worker, close the database.
 */
export async function serve(config: Config): Promise<void> {
  const tp = await composeTouchpoint(config, { smtpPort: config.smtpPort });
  // The port first: a start that cannot have it must not create the workspace and print keys
  // nobody will use. Requests before the first workspace exists find no key and get 401.
  const address = await tp.http.listen({ port: config.port, host: config.host }).catch(async (error: unknown) => {
    // Close the mail server, threads and database so the process ends.
    await tp.close();
    throw ListenError.of({ host: 'HOST', port: 'PORT (or --port)' }, config.host, config.port, error);
  });
  const progress = progressLine((n) => `  loading demo: ${n} touchpoints`);
  const result = await firstRun(tp, { ownerEmail: config.ownerEmail, demo: config.demo, onProgress: progress.update }).catch(async (error: unknown) => {
    progress.end();
    await tp.close();
    throw error;
  });
  progress.end();
  if (result) printFirstRun(result, console.log);
  tp.worker.start();
  tp.deps.log.info({ address, engine: tp.deps.engine, data: tp.database.location }, 'touchpoint listening');
  console.log(`Touchpoint listening on ${address.replace('0.0.0.0', 'localhost')}  (API docs: /api/docs)`);
  if (tp.smtp) console.log(`Receiving mail on smtp://${tp.smtp.host.replace('0.0.0.0', 'localhost')}:${tp.smtp.port}`);
  else if (config.smtpPort !== null) console.log(`Not receiving mail: SMTP port ${config.smtpPort} is in use`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    tp.deps.log.info({ signal }, 'shutting down');
    tp.close().then(
      () => process.exit(0),
      (error: unknown) => {
        tp.deps.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
