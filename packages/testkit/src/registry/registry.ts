/**
 * Starts the real CNCF distribution registry (`docker-registry serve`, Debian package
 * `docker-registry`) on 127.0.0.1 at a free port, with its own config and storage in a temp dir,
 * without auth, with htpasswd (bcrypt) or with bearer tokens from {@link startTokenServer}.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from './ports.js';
import { startTokenServer } from './token-server.js';
import type { TokenServer, TokenServerOptions } from './token-server.js';

const execFileAsync = promisify(execFile);

/** A registry started by {@link startRegistry}. */
export interface RunningRegistry {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`, the registry part of references. */
  host: string;
  /** Storage root (filesystem driver). */
  rootDir: string;
  /** The registry's log, access log lines included (see {@link readAccessLog}). */
  logFile: string;
  auth: 'none' | 'htpasswd' | 'token';
  /** The accepted user, for `htpasswd` and `token`. */
  credentials?: { username: string; password: string };
  /** The token server, for `token`. */
  tokenServer?: TokenServer;
  /** For `token`: an OAuth2 refresh token the token server accepts (`Credential.identityToken`). */
  identityToken?: string;
  /** Kills the processes and removes the temp dir. */
  stop(): Promise<void>;
}

/** One line of the registry's access log (combined log format). */
export interface AccessLogEntry {
  method: string;
  /** Path and query, e.g. `/v2/app/manifests/latest`. */
  path: string;
  status: number;
  bytes: number;
  userAgent: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

async function registryBinary(): Promise<string> {
  try {
    const { stdout } = await execFileAsync('which', ['docker-registry']);
    return stdout.trim();
  } catch {
    throw new Error(
      'startRegistry: the `docker-registry` binary (CNCF distribution) is not installed; run `apt-get install -y docker-registry`',
    );
  }
}

/**
 * Starts a registry and waits until `GET /v2/` answers.
 *
 * @param options - `auth`: `none` (default), `htpasswd` (Basic, bcrypt via `htpasswd -Bbc`) or
 *   `token` (bearer tokens from a token server in this process).
 * @returns the running registry; call `stop()` in `afterAll`.
 * @throws when `docker-registry` is missing (with the apt-get command) or does not become ready.
 */
export async function startRegistry(
  options: {
    auth?: 'none' | 'htpasswd' | 'token';
    /** For `token`: the token service's shape (realm path, service, namespace), e.g. Forgejo's. */
    token?: Pick<TokenServerOptions, 'path' | 'service' | 'issuer' | 'namespace'>;
    /** The accepted user name for `htpasswd` and `token`; default `tagwright`. */
    username?: string;
  } = {},
): Promise<RunningRegistry> {
  const auth = options.auth ?? 'none';
  const binary = await registryBinary();
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), `tagwright-registry-${auth}-`));
  const rootDir = join(dir, 'storage');
  const logFile = join(dir, 'registry.log');
  await mkdir(rootDir);
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  try {
    const credentials =
      auth === 'none' ? undefined : { username: options.username ?? 'tagwright', password: `pw-${randomBytes(12).toString('hex')}` };
    const identityToken = auth === 'token' ? `refresh-${randomBytes(12).toString('hex')}` : undefined;
    const authConfig: Record<string, unknown> = {};
    if (auth === 'htpasswd' && credentials) {
      const htpasswdFile = join(dir, 'htpasswd');
      await execFileAsync('htpasswd', ['-Bbc', htpasswdFile, credentials.username, credentials.password]);
      authConfig['htpasswd'] = { realm: 'tagwright-testkit', path: htpasswdFile };
    }
    if (auth === 'token' && credentials) {
      tokenServer = await startTokenServer({ dir, credentials, ...(identityToken ? { refreshToken: identityToken } : {}), ...options.token });
      authConfig['token'] = {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootcertbundle: tokenServer.rootCertBundle,
      };
    }

    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = {
        version: 0.1,
        log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
        storage: {
          filesystem: { rootdirectory: rootDir },
          delete: { enabled: true },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
        ...(auth === 'none' ? {} : { auth: authConfig }),
      };
      const configPath = join(dir, 'config.yml');
      await writeFile(configPath, stringify(config));
      const fd = openSync(logFile, 'a');
      const env: NodeJS.ProcessEnv = {};
      for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith('REGISTRY_') && !key.startsWith('OTEL_')) env[key] = value;
      }
      child = spawn(binary, ['serve', configPath], { stdio: ['ignore', fd, fd], env });
      closeSync(fd);
      live.add(child);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitReady(url, port, child, logFile);
      } catch (error) {
        lastError = error;
        await kill(child);
        continue;
      }
      const started = child;
      const startedToken = tokenServer;
      return {
        url,
        host: `127.0.0.1:${port}`,
        rootDir,
        logFile,
        auth,
        ...(credentials ? { credentials } : {}),
        ...(startedToken ? { tokenServer: startedToken } : {}),
        ...(identityToken ? { identityToken } : {}),
        stop: async () => {
          await kill(started);
          await startedToken?.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw lastError;
  } catch (error) {
    if (child) await kill(child);
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The `User-Agent` of the readiness probe, so access-log readers can leave it out. */
export const READINESS_USER_AGENT = 'tagwright-testkit-readiness';

async function waitReady(url: string, port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`startRegistry: docker-registry exited (${child.exitCode ?? child.signalCode}): ${await tail(logFile)}`);
    }
    // Our own process must be the one listening (another one may have taken the port meanwhile).
    const listening = (await readFile(logFile, 'utf8').catch(() => '')).includes(`listening on 127.0.0.1:${port}`);
    if (listening) {
      try {
        const response = await fetch(`${url}/v2/`, { headers: { 'User-Agent': READINESS_USER_AGENT } });
        await response.arrayBuffer();
        if (response.status === 200 || response.status === 401) return;
      } catch {
        // not answering yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`startRegistry: ${url}/v2/ did not answer within 20 s: ${await tail(logFile)}`);
}

async function tail(logFile: string): Promise<string> {
  try {
    return (await readFile(logFile, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function kill(child: ChildProcess): Promise<void> {
  live.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"/;

/**
 * Reads the registry's access log: one entry per HTTP request it served, in order, without the
 * harness's readiness probes. To count the requests of one operation, read it before and after
 * and `slice(before.length)`.
 *
 * @param registry - a registry from {@link startRegistry}.
 * @returns the parsed entries.
 */
export async function readAccessLog(registry: Pick<RunningRegistry, 'logFile'>): Promise<AccessLogEntry[]> {
  const text = await readFile(registry.logFile, 'utf8');
  const entries: AccessLogEntry[] = [];
  for (const line of text.split('\n')) {
    const match = ACCESS_LINE.exec(line);
    if (!match) continue;
    if (match[5] === READINESS_USER_AGENT) continue;
    entries.push({
      method: match[1] ?? '',
      path: match[2] ?? '',
      status: Number(match[3]),
      bytes: match[4] === '-' ? 0 : Number(match[4]),
      userAgent: match[5] ?? '',
    });
  }
  return entries;
}
