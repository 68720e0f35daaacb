/**
 * A small token server for the registry's `auth.token` mode (Docker token authentication):
 * checks Basic credentials and issues ES256 JWTs whose `x5c` header carries a self-signed
 * P-256 certificate that is the registry's `rootcertbundle`.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 */
import { execFile } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, importPKCS8 } from 'jose';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

/** A running token server. */
export interface TokenServer {
  /** Token endpoint, `http://127.0.0.1:PORT/token` (or the `path` given). */
  realm: string;
  /** The `service` (JWT `aud`) the registry expects. */
  service: string;
  /** The JWT `iss` the registry expects. */
  issuer: string;
  /** PEM certificate file for the registry's `rootcertbundle`. */
  rootCertBundle: string;
  /**
   * Makes the token server also front a registry, as Forgejo serves `/v2/` and `/v2/token` on one
   * host: every request to another path is passed to `upstream` (e.g. `http://127.0.0.1:5000`)
   * unchanged, `Host` header included, so the registry's absolute `Location`s point back here.
   */
  setUpstream(upstream: string): void;
  /** Token requests seen so far (service and scopes), for assertions. */
  requests: { service: string | null; scopes: string[]; account: string | undefined; grantType?: string }[];
  stop(): Promise<void>;
}

/** An `access` entry of a token. */
interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Where the key and certificate are written. */
  dir: string;
  /** Accepted on Basic auth (and the OAuth2 password grant). */
  credentials: { username: string; password: string };
  /** Accepted by the OAuth2 `grant_type=refresh_token` POST. */
  refreshToken?: string;
  /** Path of the token endpoint; default `/token` (Forgejo: `/v2/token`). */
  path?: string;
  /** The `service` (JWT `aud`); default `tagwright-testkit-registry` (Forgejo: `container_registry`). */
  service?: string;
  /** The JWT `iss`; default `tagwright-testkit-token-issuer`. */
  issuer?: string;
  /**
   * When set, the authenticated user gets access only to repositories under `<namespace>/` (as on
   * Forgejo, where a user pushes to `<owner>/<image>` of owners they may write to); a scope for any
   * other repository is granted no actions.
   */
  namespace?: string;
}

/** The shape of Forgejo's container registry token service: realm path and service name. */
export const FORGEJO_TOKEN_SERVICE = { path: '/v2/token', service: 'container_registry' } as const;

/**
 * Starts the token server on 127.0.0.1 at a free port.
 *
 * @param options - see {@link TokenServerOptions}.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const keyPath = join(options.dir, 'token-key.pem');
  const certPath = join(options.dir, 'token-cert.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    '/CN=tagwright-testkit-token-issuer',
  ]);
  const privateKey = await importPKCS8(await readFile(keyPath, 'utf8'), 'ES256');
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString('base64');

  const service = options.service ?? 'tagwright-testkit-registry';
  const issuer = options.issuer ?? 'tagwright-testkit-token-issuer';
  const tokenPath = options.path ?? '/token';
  const mayAccess = (name: string): boolean => options.namespace === undefined || name.startsWith(`${options.namespace}/`);
  const requests: TokenServer['requests'] = [];

  const issue = async (account: string, scopes: string[]): Promise<string> => {
    const access: Access[] = [];
    for (const scope of scopes) {
      const parts = scope.split(':');
      if (parts.length < 3) continue;
      const actions = (parts.pop() ?? '').split(',').filter((a) => a.length > 0);
      const [type = '', ...name] = parts;
      // The harness user may do everything asked of a repository; anonymous gets nothing.
      // With a namespace, only repositories under it (Forgejo: the owner's packages).
      if (account && type === 'repository' && mayAccess(name.join(':'))) access.push({ type, name: name.join(':'), actions });
    }
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [certDer] })
      .setIssuer(issuer)
      .setSubject(account)
      .setAudience(service)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(privateKey);
  };

  let upstream: URL | undefined;
  const proxy = (req: IncomingMessage, res: ServerResponse, target: URL): void => {
    const forwarded = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forwarded);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== tokenPath && upstream) {
      proxy(req, res, upstream);
      return;
    }
    if (url.pathname !== tokenPath) {
      res.writeHead(404).end();
      return;
    }
    let account = '';
    let scopes: string[];
    let grantType: string | undefined;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      grantType = form.get('grant_type') ?? undefined;
      scopes = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0);
      const ok =
        (grantType === 'refresh_token' && options.refreshToken !== undefined && form.get('refresh_token') === options.refreshToken) ||
        (grantType === 'password' &&
          form.get('username') === options.credentials.username &&
          form.get('password') === options.credentials.password);
      requests.push({ service: form.get('service'), scopes, account: ok ? options.credentials.username : undefined, grantType: grantType ?? '' });
      if (!ok) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid grant' }] }));
        return;
      }
      account = options.credentials.username;
      const token = await issue(account, scopes);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 300 }));
      return;
    }
    scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter((s) => s.length > 0);
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Basic\s+(.+)$/i.exec(authorization);
      const decoded = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (colon < 0 || username !== options.credentials.username || password !== options.credentials.password) {
        requests.push({ service: url.searchParams.get('service'), scopes, account: undefined });
        res
          .writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="tagwright-testkit"' })
          .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
        return;
      }
      account = username;
    }
    requests.push({ service: url.searchParams.get('service'), scopes, account: account || undefined });
    const token = await issue(account, scopes);
    const now = new Date().toISOString();
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: now }));
  };

  const port = await freePort();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    realm: `http://127.0.0.1:${port}${tokenPath}`,
    service,
    issuer,
    rootCertBundle: certPath,
    requests,
    setUpstream(url: string) {
      upstream = new URL(url);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
