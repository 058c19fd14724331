/**
 * A real OpenID provider on loopback for the sign-in tests: `oidc-provider` on 127.0.0.1:0, signing
 * with an RS256 key this harness generates (so tests can forge tokens with the provider's very
 * key), a confidential client and a public (PKCE-only) one, and three users. Its login page is
 * ours (a form with the email; consent is given at once), so a browser loads nothing off loopback.
 *
 * `forge` rewrites the ID token of the token endpoint's next answers (wrong aud, expired, …),
 * re-signed with the provider's key, or another, or left with its old signature: each gateway
 * check is then what refuses.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

/** The test users, by the email typed on the login page. */
export const USERS: Record<string, { sub: string; groups: string[] }> = {
  'alice@example.com': { sub: 'alice', groups: ['eng'] },
  'bob@example.com': { sub: 'bob', groups: ['eng'] },
  'eve@other.test': { sub: 'eve', groups: [] },
};

/** How the next ID tokens are rewritten: new claims, and which key signs them. */
export interface Forgery {
  /** The claims as the provider issued them → the claims to send. */
  claims?: (claims: JWTPayload) => JWTPayload;
  /** `provider` (default): re-signed with the provider's own key and kid; `other`: another RS256 key, same kid; `keep`: the provider's signature kept (so it no longer matches). */
  signer?: 'provider' | 'other' | 'keep';
}

export interface TestProvider {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A client with `token_endpoint_auth_method: none` (PKCE alone). */
  publicClientId: string;
  /** How the last token request sent the client's secret: `basic` (Authorization header), `post` (in the form), or null (none yet). */
  lastTokenAuth(): 'basic' | 'post' | null;
  /** Starts answering, with `redirectUri` (the gateway's `/auth/callback`) registered for both clients. */
  register(redirectUri: string): void;
  /** Rewrites ID tokens from now on (null: stop). */
  forge(forgery: Forgery | null): void;
  /** Token endpoint requests answered so far. */
  tokenRequests(): number;
  stop(): Promise<void>;
}

function loginPage(uid: string, error = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test provider sign-in</title></head><body>
<h1>Test provider</h1>${error ? `<p id="error">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}"><label>Email <input name="login" type="email" autofocus></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/** Starts the provider's socket; it answers 503 until `register` is called. */
export async function startProvider(): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  const kid = randomBytes(6).toString('hex');
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const clientSecret = randomBytes(24).toString('base64url');
  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  let forgery: Forgery | null = null;
  let tokens = 0;
  let tokenAuth: 'basic' | 'post' | null = null;

  const server = http.createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end('not registered yet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const forge = async (idToken: string): Promise<string> => {
    if (!forgery) return idToken;
    const claims = (forgery.claims ?? ((c) => c))(decodeJwt(idToken));
    const header = decodeProtectedHeader(idToken);
    if (forgery.signer === 'keep') {
      const [head, , signature] = idToken.split('.');
      return `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    }
    const key = forgery.signer === 'other' ? other.privateKey : privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid ?? kid, typ: header.typ }).sign(key);
  };

  const register = (redirectUri: string) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'porthole',
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
        {
          client_id: 'porthole-public',
          token_endpoint_auth_method: 'none',
          redirect_uris: [redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      jwks: { keys: [jwk] },
      scopes: ['openid', 'email', 'profile'],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['groups'] },
      // The claims of the scopes in the ID token too (providers commonly do; the gateway reads only it).
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      findAccount: (_ctx: unknown, id: string) => {
        const email = Object.keys(USERS).find((e) => USERS[e]!.sub === id);
        if (!email) return undefined;
        return {
          accountId: id,
          claims: () => ({ sub: id, email, email_verified: true, groups: USERS[email]!.groups }),
        };
      },
    });
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path !== '/token' || ctx.method !== 'POST') return;
      tokens += 1;
      tokenAuth = /^basic /i.test(ctx.get('authorization')) ? 'basic' : 'post';
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.status === 200 && body?.id_token) ctx.body = { ...body, id_token: await forge(body.id_token) };
    });
    const callback = provider.callback();
    handler = (req, res) => {
      const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url ?? '/', issuer).pathname);
      if (!match) return callback(req, res);
      void interaction(provider, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${String(error)}`);
      });
    };
  };

  return {
    issuer,
    clientId: 'porthole',
    clientSecret,
    publicClientId: 'porthole-public',
    lastTokenAuth: () => tokenAuth,
    register,
    forge: (f) => {
      forgery = f;
    },
    tokenRequests: () => tokens,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The login page (GET), the login itself (POST, by email), and consent given at once. */
async function interaction(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grant = new provider.Grant({
      accountId: details.session!.accountId,
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    const missing = details.prompt.details.missingOIDCClaims;
    if (Array.isArray(missing)) grant.addOIDCClaims(missing as string[]);
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true },
    );
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
    return;
  }
  const email = (await readForm(req)).get('login') ?? '';
  const user = USERS[email.toLowerCase()];
  if (!user) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'No such user.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}
