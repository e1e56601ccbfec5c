/** Where progress goes: process.stderr, or anything with its `write` and `isTTY`. */
export type ProgressStream = { readonly isTTY?: boolean; write(text: string): unknown };

/** A progress report: `update` as work goes on, `end` once it is done. */
export type ProgressLine = { readonly update: (done: number) => void; readonly end: () => void };

/** At most one line this often when the output is a file or a pipe. */
const LOG_EVERY_MS = 2_000;

/**
 * Progress on stderr: on a terminal, one line rewritten in place; in a file or a pipe (docker
 * logs, CI, `npm start > log`), a line now and then, because carriage returns there made the
 * whole demo load one line of 36 updates.
 * @example const progress = progressLine((n) => `  loading demo: ${n} touchpoints`);
 */
export function progressLine(describe: (done: number) => string, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressLine {
  let rewriting = false;
  let loggedAt: number | null = null;
  return {
    update(done) {
      if (stream.isTTY) {
        stream.write(`\r${describe(done)}`);
        rewriting = true;
        return;
      }
      if (loggedAt !== null && now() - loggedAt < LOG_EVERY_MS) return;
      loggedAt = now();
      stream.write(`${describe(done)}\n`);
    },
    end() {
      // The next output starts on a line of its own.
      if (rewriting) stream.write('\n');
      rewriting = false;
    },
  };
}
