/**
 * The one way the web app talks to the server: same-origin fetch with the session cookie, the
 * CSRF token echoed on writes, and errors as ApiError carrying the API's `{ error: { code,
 * message, field } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CSRF_COOKIE = 'tp_csrf';

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return value.join('=');
  }
  return undefined;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `/api/v1` + path + the defined query parameters. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `/api/v1${path}${search ? `?${search}` : ''}`;
}

async function request<T>(method: string, path: string, options: { readonly query?: Query; readonly body?: unknown; readonly signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Touchpoint cannot be reached: check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a proxy's error page
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${response.status}.`, error?.field);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** A message for people from anything thrown; the API's schema checks come out in plain words. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return plainSchemaMessage(error) ?? error.message;
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** The request schema's wording (`nextResponseMinutes must be <= 525600`) and what people read instead. */
const SCHEMA_RULES: readonly (readonly [RegExp, (limit: string) => string])[] = [
  [/must match pattern/, () => 'is not in the expected form'],
  [/must be <= (\d+)/, (limit) => `must be at most ${Number(limit).toLocaleString('en')}`],
  [/must be >= (\d+)/, (limit) => `must be at least ${Number(limit).toLocaleString('en')}`],
  [/must NOT have fewer than (\d+) characters/, (limit) => `needs at least ${limit} characters`],
  [/must NOT have more than (\d+) characters/, (limit) => `takes at most ${limit} characters`],
  [/must be integer/, () => 'must be a whole number'],
];

function plainSchemaMessage(error: ApiError): string | null {
  if (error.code !== 'invalid_field' || !error.field) return null;
  for (const [pattern, say] of SCHEMA_RULES) {
    const match = pattern.exec(error.message);
    // nextResponseMinutes → next response minutes
    if (match) return `The ${error.field.replace(/([A-Z])/g, ' $1').toLowerCase()} ${say(match[1] ?? '')}.`;
  }
  return null;
}
