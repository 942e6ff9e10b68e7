/**
 * Every call to the Netwarden API goes through here: same-origin fetch with the session
 * cookie, JSON in and out, the session's CSRF token on every state-changing request, and
 * errors turned into ApiError with the API's field problems. The CSRF token lives only in
 * memory (never in localStorage); after a reload GET /api/v1/session hands it out again.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, fields: FieldProblem[], retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (expired, signed out elsewhere). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = 'HTTP_' + response.status;
  let message = response.statusText;
  let fields: FieldProblem[] = [];
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; fields?: FieldProblem[] } };
    if (body.error !== undefined) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      fields = Array.isArray(body.error.fields) ? body.error.fields : [];
    }
  } catch {
    // not JSON (a proxy's error page): keep the status line
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, code, message, fields, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (!response.ok) {
    const error = await errorOf(response);
    // Sign-in itself answers 401 for a wrong password; that is not a lost session.
    if (response.status === 401 && path !== '/api/v1/session') onUnauthenticated();
    throw error;
  }
  return response;
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

export async function apiGetText(path: string): Promise<string> {
  return (await send('GET', path, undefined, 'text/plain')).text();
}

/** POST, PATCH, PUT or DELETE; 204 answers resolve to undefined. */
export async function apiSend<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body ?? (method === 'DELETE' ? undefined : {}));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A path with its query string, leaving out undefined and empty values. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}
