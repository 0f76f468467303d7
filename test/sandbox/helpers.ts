/**
 * Talking to a sandbox over real HTTP on loopback, as a client would: tokens, JSON calls with
 * MX's headers, and small builders for users and members.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const MX_ACCEPT = 'application/vnd.mx.api.v1+json';
/** The version these helpers speak unless a test says otherwise. */
export const API_VERSION = 'v20111101';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function basic(id = 'sandbox-client', key = 'sandbox-key'): string {
  return `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when it is empty. */
  json: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function tokenFor(url: string, id = 'sandbox-client', key = 'sandbox-key'): Promise<string> {
  const reply = await request(`${url}/oauth/token`, { method: 'POST', headers: { authorization: basic(id, key) } });
  if (reply.status !== 200) throw new Error(`token request failed with ${reply.status}`);
  return (reply.json as { access_token: string }).access_token;
}

/** A client bound to one sandbox and one Authorization header. */
export class Api {
  constructor(readonly url: string, readonly authorization: string) {}

  /** A client holding a fresh token from the sandbox at `target.url`. */
  static async connect(target: { url: string }, id?: string, key?: string): Promise<Api> {
    return new Api(target.url, `Bearer ${await tokenFor(target.url, id, key)}`);
  }

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const all: Record<string, string> = { accept: MX_ACCEPT, 'accept-version': API_VERSION, authorization: this.authorization, ...headers };
    if (body !== undefined || method === 'POST' || method === 'PUT') all['content-type'] ??= 'application/json';
    return request(`${this.url}${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async createUser(id: string, extra: Record<string, unknown> = {}): Promise<string> {
    const reply = await this.call('POST', '/users', { user: { id, ...extra } });
    if (reply.status !== 200) throw new Error(`create user: ${reply.status} ${reply.text}`);
    return reply.json.user.guid as string;
  }

  /** The default password connects and differs per id: MX refuses a user's second member with the same credentials. */
  createMember(userGuid: string, id: string, password = `password-${id}`, extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', `/users/${userGuid}/members`, {
      member: {
        id,
        institution_code: 'mxbank',
        credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }],
        ...extra,
      },
    });
  }
}

/**
 * Starts a sandbox for one test file and closes it after: Bearer tokens and the mx-sso texts
 * unless a test asks otherwise, so these files rehearse the seed documents' API;
 * test/sandbox/platform.test.ts checks the MX Platform defaults.
 */
export async function started(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ aggregationMs: 100, auth: 'token', dialect: 'mx-sso', requireApiVersion: false, ...options });
}

/**
 * A caller speaking MX Platform as the sandbox does on its defaults: Basic auth on every request,
 * JSON, and `Accept-Version` (v20250224 unless a call names another).
 */
export function platformCaller(target: () => { url: string }) {
  return (method: string, path: string, body?: unknown, version: 'v20250224' | 'v20111101' = 'v20250224'): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: basic(), accept: 'application/json', 'accept-version': version };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request(`${target().url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
}
