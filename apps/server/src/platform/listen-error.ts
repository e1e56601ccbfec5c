/** The settings that chose an address: named in the message, so the user knows what to change. */
export type ListenSettings = { readonly host: string; readonly port: string };

/**
 * A port the process could not listen on, said as the settings that chose it and why:
 * the CLI prints it as one line (cli/failure.ts). `code` is the system's (EADDRINUSE, …).
 * @example throw ListenError.of({ host: 'SMTP_HOST', port: 'SMTP_PORT' }, '127.0.0.1', 2525, error)
 */
export class ListenError extends Error {
  private constructor(
    message: string,
    readonly code: string,
    options: ErrorOptions,
  ) {
    super(message, options);
  }

  static of(settings: ListenSettings, host: string, port: number, cause: unknown): ListenError {
    const code = String((cause as { code?: unknown }).code ?? 'unknown');
    const where = `cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new ListenError(`${where}: ${reasonOf(code, settings, host, port, cause)}`, code, { cause });
  }
}

function reasonOf(code: string, settings: ListenSettings, host: string, port: number, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return `EADDRINUSE, another process has that port; set ${settings.port} to another`;
    case 'EADDRNOTAVAIL':
      return `EADDRNOTAVAIL, ${host} is not an address of this machine; set ${settings.host} to one of its addresses, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `${code}, no address is known for the host name ${host}; set ${settings.host} to an address or name of this machine`;
    case 'EACCES':
      return port < 1024
        ? `EACCES, ports below 1024 need privileges; set ${settings.port} to 1024 or above (and map the low port to it)`
        : `EACCES, not allowed to listen there; check ${settings.host} and ${settings.port}`;
    default:
      return `${(cause as Error).message || code}; check ${settings.host} and ${settings.port}`;
  }
}
