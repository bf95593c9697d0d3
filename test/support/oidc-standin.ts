// A stand-in for Sign in with Slack (OpenID Connect), shaped like Slack's: discovery, its keys
// (RS256), an authorize endpoint that answers at once for the person the test chose (or as if they
// pressed Cancel), and a token endpoint that checks the client (client_secret_post), the code (used
// once) and the redirect_uri, and answers as Slack does ({ ok: true, …, id_token }, or HTTP 200
// { ok: false, error } for a refusal). A test can make the next id_token wrong in one way to prove
// the bot checks it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { WEB_CLIENT_ID, WEB_CLIENT_SECRET, WEB_TEAM_ID } from './web.ts';

/** The person the authorize endpoint signs in. */
export interface OidcUser {
  userId: string;
  teamId: string;
  name: string;
  email: string;
}

/** Ways the next id_token can be wrong. */
export type Misbehaviour =
  | 'wrong-audience'
  | 'expired'
  | 'forged-signature'
  | 'wrong-nonce'
  | 'wrong-issuer'
  | 'no-slack-claims';

interface IssuedCode {
  user: OidcUser;
  nonce: string;
  redirectUri: string;
  clientId: string;
  /** The scopes asked at authorize. */
  scopes: string[];
}

export class OidcStandIn {
  /** The issuer (http://127.0.0.1:port, no trailing slash), known once started. */
  url = '';
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next authorize request signs in; 'deny' answers error=access_denied (Cancel). */
  nextUser: OidcUser | 'deny' = { userId: 'UALICE', teamId: WEB_TEAM_ID, name: 'Alice', email: 'alice@example.org' };
  /** The next id_token is wrong in this way (then the stand-in behaves again). */
  misbehave: Misbehaviour | null = null;
  /** Discovery answers 503 while set. */
  discoveryDown = false;
  /** The query of every authorize request, and the form of every token request. */
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly tokenRequests: URLSearchParams[] = [];
  /** Codes issued and not yet used. */
  private readonly codes = new Map<string, IssuedCode>();
  private server: Server | null = null;
  private keys: { privateKey: CryptoKey; jwk: JWK } | null = null;
  /** Another key pair, for a forged signature (same kid: only the signature is wrong). */
  private forger: CryptoKey | null = null;

  constructor(clientId = WEB_CLIENT_ID, clientSecret = WEB_CLIENT_SECRET) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  async start(): Promise<this> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    this.keys = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'standin-1', alg: 'RS256', use: 'sig' } };
    this.forger = (await generateKeyPair('RS256')).privateKey;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      if (this.discoveryDown) return this.json(res, 503, { ok: false, error: 'service_unavailable' });
      // As Slack publishes it, with the stand-in's addresses.
      return this.json(res, 200, {
        issuer: this.url,
        authorization_endpoint: `${this.url}/openid/connect/authorize`,
        token_endpoint: `${this.url}/api/openid.connect.token`,
        userinfo_endpoint: `${this.url}/api/openid.connect.userInfo`,
        jwks_uri: `${this.url}/openid/connect/keys`,
        scopes_supported: ['openid', 'profile', 'email'],
        response_types_supported: ['code'],
        response_modes_supported: ['form_post'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'auth_time', 'iss'],
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: true,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/openid/connect/keys')
      return this.json(res, 200, { keys: [this.keys!.jwk] });
    if (req.method === 'GET' && url.pathname === '/openid/connect/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/api/openid.connect.token') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return this.token(new URLSearchParams(Buffer.concat(chunks).toString('utf8')), req, res);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  private authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    this.authorizeRequests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    const state = q.get('state');
    const problems = [
      q.get('client_id') !== this.clientId && 'client_id',
      q.get('response_type') !== 'code' && 'response_type',
      !(q.get('scope') ?? '').split(' ').includes('openid') && 'scope',
      !/^https?:\/\//.test(redirectUri) && 'redirect_uri',
      !state && 'state',
      !q.get('nonce') && 'nonce',
    ].filter(Boolean);
    if (problems.length) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end(`bad authorize request: ${problems.join(', ')}`);
    }
    const back = new URL(redirectUri);
    if (this.nextUser === 'deny') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, {
        user: this.nextUser,
        nonce: q.get('nonce')!,
        redirectUri,
        clientId: q.get('client_id')!,
        scopes: (q.get('scope') ?? '').split(' '),
      });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', state!);
    res.writeHead(302, { location: back.href });
    res.end();
  }

  private async token(form: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    this.tokenRequests.push(form);
    // Slack answers its refusals with HTTP 200 and ok: false.
    const refuse = (error: string) => this.json(res, 200, { ok: false, error });
    if (req.headers.authorization) return refuse('invalid_auth_method'); // client_secret_post only here
    if (form.get('client_id') !== this.clientId) return refuse('invalid_client_id');
    if (form.get('client_secret') !== this.clientSecret) return refuse('bad_client_secret');
    if (form.get('grant_type') !== 'authorization_code') return refuse('invalid_grant_type');
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    if (!issued) return refuse('invalid_code');
    this.codes.delete(code); // used once
    if (form.get('redirect_uri') !== issued.redirectUri) return refuse('bad_redirect_uri');

    const fault = this.misbehave;
    this.misbehave = null;
    const now = Math.floor(Date.now() / 1000);
    const { user } = issued;
    const claims: Record<string, unknown> = {
      'https://slack.com/user_id': user.userId,
      'https://slack.com/team_id': user.teamId,
      'https://slack.com/team_domain': 'standin',
      // As Slack: the email only with the email scope.
      ...(issued.scopes.includes('email') ? { email: user.email, email_verified: true } : {}),
      name: user.name,
      given_name: user.name.split(' ')[0],
      locale: 'en-GB',
      nonce: fault === 'wrong-nonce' ? 'another-nonce-entirely-000000' : issued.nonce,
      auth_time: now,
    };
    if (fault === 'no-slack-claims') {
      delete claims['https://slack.com/user_id'];
      delete claims['https://slack.com/team_id'];
    }
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'standin-1', typ: 'JWT' })
      .setIssuer(fault === 'wrong-issuer' ? 'https://slack.example' : this.url)
      .setAudience(fault === 'wrong-audience' ? '9999999999.9999999999' : issued.clientId)
      .setSubject(user.userId)
      .setIssuedAt(fault === 'expired' ? now - 7200 : now)
      .setExpirationTime(fault === 'expired' ? now - 3600 : now + 300)
      .sign(fault === 'forged-signature' ? this.forger! : this.keys!.privateKey);
    return this.json(res, 200, {
      ok: true,
      access_token: `xoxp-${randomBytes(12).toString('hex')}`,
      token_type: 'Bearer',
      id_token: idToken,
    });
  }
}

/** Inside a describe, before useWebBot: the stand-in, started before the tests and closed after. */
export function useOidcStandIn(): OidcStandIn {
  const standin = new OidcStandIn();
  before(async () => {
    await standin.start();
  });
  after(async () => {
    await standin.close();
  });
  return standin;
}

/** The cookies a browser would keep for the bot (127.0.0.1, any port), by name, with their paths. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string; attributes: string }>();

  /** Keeps what a response's Set-Cookie headers say (Max-Age=0 removes). */
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      if (attrs.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, { value: pair!.slice(eq + 1), path, attributes: attrs.join('; ') });
    }
  }

  /** The Cookie header for a request to `path`. */
  header(path: string): string {
    return [...this.cookies]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  /** The attributes the cookie was set with (Path, Max-Age, HttpOnly…), for checking them. */
  attributes(name: string): string | undefined {
    return this.cookies.get(name)?.attributes;
  }

  /** The `name=value` pair, for a request made by hand. */
  pair(name: string): string {
    const c = this.cookies.get(name);
    return c ? `${name}=${c.value}` : '';
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }
}

/** One GET as a browser makes it (the jar's cookies sent, the answer's kept), redirects not followed. */
export async function browse(jar: CookieJar, url: string): Promise<Response> {
  const cookie = jar.header(new URL(url).pathname);
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  jar.take(res);
  return res;
}

/**
 * Follows redirects from `url` as a browser would (the bot's and the stand-in's), up to `max` hops;
 * every answer on the way, the last one last. The bot's relative locations are resolved against the
 * address answering them.
 */
export async function follow(jar: CookieJar, url: string, max = 8): Promise<{ url: string; res: Response }[]> {
  const hops: { url: string; res: Response }[] = [];
  let next: string | null = url;
  while (next && hops.length < max) {
    const res = await browse(jar, next);
    hops.push({ url: next, res });
    const location = res.headers.get('location');
    const redirect = res.status >= 300 && res.status < 400 && location;
    if (redirect) await res.arrayBuffer(); // nothing in it; read so the connection is free again
    next = redirect ? new URL(location, next).href : null;
  }
  return hops;
}
