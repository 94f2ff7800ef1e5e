// Drives Roster as an OpenID Connect provider with Node's openid-client v6, a
// certified relying party library, so that its own checks (discovery
// metadata, iss in the authorization response, PKCE, ID token signature and
// claims, userinfo subject, ...) judge what Roster sends.
//
// Usage: node openid_client.mjs <roster_url> <admin_token>
//
// The Rust test copies this file next to a node_modules holding the
// openid-client pinned in package-lock.json, starts Roster, and runs it with
// the server's URL and an admin personal access token. The script creates a
// user and a confidential and a public application through the API, then acts
// as the browser itself (fetch without following redirects, with its own
// cookie jar) through sign-in and consent, and as the relying party through
// openid-client: the code flow with PKCE under client_secret_basic, userinfo,
// refresh, introspection, revocation and RP-initiated logout; the code flow of
// the public client; and the code flow under client_secret_post, where the
// consent given before is remembered. It prints one line per step
// ("ok - name" or "not ok - name: error"), then
// "openid-client: N passed, M failed", and exits 0 only when M is 0.

import * as client from 'openid-client';
import { randomBytes } from 'node:crypto';

const [rosterUrl, adminToken] = process.argv.slice(2);
if (!rosterUrl || !adminToken) {
  console.error('usage: node openid_client.mjs <roster_url> <admin_token>');
  process.exit(2);
}
const base = new URL(rosterUrl);
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const PASSWORD = 'correct-horse-battery';
const SCOPE = 'openid profile email';
const insecure = { execute: [client.allowInsecureRequests] };

// ---------------------------------------------------------------- steps

let passed = 0;
let failed = 0;

// Runs one named check; a failure is printed and counted, and yields undefined.
async function step(name, fn) {
  try {
    const value = await fn();
    passed += 1;
    console.log(`ok - ${name}`);
    return value;
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}: ${describe(error)}`);
    return undefined;
  }
}

function describe(error) {
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  if (error.code) text += ` [${error.code}]`;
  if (error.error) text += ` error=${error.error}`;
  if (error.error_description) text += ` (${error.error_description})`;
  if (error.status) text += ` status=${error.status}`;
  if (error.cause && error.cause !== error) {
    const cause = error.cause instanceof Response ? `HTTP ${error.cause.status}` : safeJson(error.cause);
    text += ` cause=${cause}`;
  }
  return text;
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Throws when an earlier step this one depends on failed.
function need(...values) {
  if (values.some((value) => value === undefined || value === null)) {
    throw new Error('skipped: an earlier step failed');
  }
}

// ---------------------------------------------------------------- the API

async function api(path, body) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'PRIVATE-TOKEN': adminToken, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  check(response.status === 201, `POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

// ---------------------------------------------------------------- the browser

const jar = new Map();

function storeCookies(response) {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';', 1)[0];
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

// One browser request: no redirect following, the jar's cookies sent and kept.
async function browse(url, { method = 'GET', form } = {}) {
  const headers = { Accept: 'text/html' };
  if (jar.size > 0) {
    headers.Cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  let body;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(new URL(url, base), { method, headers, body, redirect: 'manual' });
  storeCookies(response);
  const text = await response.text();
  return { status: response.status, location: response.headers.get('location'), text };
}

function expectRedirect(response, status, what) {
  check(
    response.status === status && response.location,
    `${what}: expected ${status} with a Location, got ${response.status} ${response.location ?? ''} ${response.text.slice(0, 300)}`,
  );
  return response.location;
}

function decodeHtml(value) {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|#39|apos);/gi, (entity, body) => {
    const lower = body.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? entity;
  });
}

// Every <input type="hidden" name="X" value="Y"> of a page, decoded.
function hiddenInputs(html) {
  const fields = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decodeHtml(match[1])] = decodeHtml(match[2]);
  }
  return fields;
}

function formAction(html) {
  const match = html.match(/<form method="post" action="([^"]*)">/);
  return match ? decodeHtml(match[1]) : undefined;
}

function isCallback(location) {
  return location && new URL(location, base).href.startsWith(`${REDIRECT_URI}?`);
}

// ---------------------------------------------------------------- the flows

// Signs in through the page the authorization endpoint sent the browser to;
// yields where the sign-in sends the browser back to.
async function signIn(prefix, signInLocation, username) {
  const page = await step(`${prefix}: sign-in page`, async () => {
    need(signInLocation);
    const response = await browse(signInLocation);
    check(response.status === 200, `expected 200, got ${response.status}`);
    const fields = hiddenInputs(response.text);
    check(fields.authenticity_token, 'no authenticity_token on the sign-in page');
    check(fields.return_to, 'no return_to on the sign-in page');
    return fields;
  });
  return step(`${prefix}: sign in`, async () => {
    need(page);
    const response = await browse('/-/sign_in', {
      method: 'POST',
      form: {
        authenticity_token: page.authenticity_token,
        return_to: page.return_to,
        login: username,
        password: PASSWORD,
      },
    });
    const location = expectRedirect(response, 303, 'POST /-/sign_in');
    check(location === page.return_to, `Location ${location} is not return_to ${page.return_to}`);
    return location;
  });
}

// Allows the application on a consent page; yields the redirect to the client.
async function consent(prefix, html) {
  return step(`${prefix}: allow on the consent page`, async () => {
    need(html);
    const action = formAction(html);
    check(action && new URL(action, base).pathname === '/oauth/authorize', `the form posts to ${action}`);
    const fields = hiddenInputs(html);
    check(fields.authenticity_token, 'no authenticity_token on the consent page');
    const response = await browse(action, { method: 'POST', form: { ...fields, decision: 'allow' } });
    const location = expectRedirect(response, 302, 'POST /oauth/authorize');
    check(isCallback(location), `redirected to ${location}, not to the client`);
    return location;
  });
}

// Starts a code flow with PKCE and takes the browser through sign-in (when
// there is no session) and consent (when not given before); yields the
// callback URL and the checks for authorizationCodeGrant.
async function authorize(prefix, config, username, { consentExpected }) {
  const request = await step(`${prefix}: build the authorization URL`, async () => {
    need(config);
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const codeChallenge = await client.calculatePKCECodeChallenge(pkceCodeVerifier);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    check(url.origin === base.origin && url.pathname === '/oauth/authorize', `unexpected URL ${url}`);
    return { url, checks: { pkceCodeVerifier, expectedState: state, expectedNonce: nonce } };
  });

  // The authorization endpoint: 303 to sign-in, 200 consent page, or 302 to the client.
  let response = await step(`${prefix}: GET the authorization URL`, async () => {
    need(request);
    const response = await browse(request.url);
    check(
      [200, 302, 303].includes(response.status),
      `unexpected ${response.status} ${response.location ?? ''} ${response.text.slice(0, 300)}`,
    );
    return response;
  });

  if (response?.status === 303) {
    const signInLocation = await step(`${prefix}: redirected to sign-in`, async () => {
      const location = new URL(response.location, base);
      check(location.origin === base.origin, `Location ${response.location} leaves the server`);
      check(location.pathname === '/-/sign_in', `Location ${response.location} is not the sign-in page`);
      check(location.searchParams.get('return_to'), 'no return_to in the sign-in Location');
      return response.location;
    });
    const back = await signIn(prefix, signInLocation, username);
    response = await step(`${prefix}: back at the authorization endpoint`, async () => {
      need(back);
      const again = await browse(back);
      check([200, 302].includes(again.status), `unexpected ${again.status} ${again.text.slice(0, 300)}`);
      return again;
    });
  }

  let callback;
  if (response?.status === 200) {
    if (!consentExpected) {
      // Tolerated: the task allows either a consent page or a direct redirect.
      console.log(`# ${prefix}: the authorization endpoint asked for consent again`);
    }
    callback = await consent(prefix, response.text);
  } else if (response?.status === 302) {
    callback = await step(`${prefix}: redirected to the client without a consent page`, async () => {
      check(isCallback(response.location), `redirected to ${response.location}, not to the client`);
      check(!consentExpected, 'expected a consent page for a new application');
      return response.location;
    });
  } else {
    await step(`${prefix}: reach the consent page or the client`, async () => need(undefined));
  }

  return step(`${prefix}: callback carries code, state and iss`, async () => {
    need(callback, request);
    const url = new URL(callback);
    check(url.searchParams.get('code'), `no code in ${callback}`);
    check(url.searchParams.get('state') === request.checks.expectedState, `state mismatch in ${callback}`);
    check(url.searchParams.get('iss'), `no iss in ${callback}`);
    return { url, checks: request.checks };
  });
}

async function codeGrant(prefix, config, callback) {
  return step(`${prefix}: authorizationCodeGrant (ID token verified by openid-client)`, async () => {
    need(config, callback);
    const tokens = await client.authorizationCodeGrant(config, callback.url, callback.checks);
    check(tokens.access_token, 'no access_token');
    check(tokens.id_token, 'no id_token');
    check(String(tokens.token_type).toLowerCase() === 'bearer', `token_type ${tokens.token_type}`);
    return tokens;
  });
}

function checkIdClaims(claims, username) {
  check(claims, 'no ID token claims');
  check(typeof claims.sub === 'string' && claims.sub, 'no sub');
  check(claims.preferred_username === username, `preferred_username ${claims.preferred_username}`);
  check(claims.email === `${username}@example.com`, `email ${claims.email}`);
  check(Array.isArray(claims.groups_direct), `groups_direct is ${safeJson(claims.groups_direct)}`);
}

// ---------------------------------------------------------------- main

const username = `oidc_node_${randomBytes(5).toString('hex')}`;

await step('create the user', () =>
  api('/api/v4/users', {
    username,
    email: `${username}@example.com`,
    name: 'Node Tester',
    password: PASSWORD,
    skip_confirmation: true,
  }),
);

const confidential = await step('register a confidential application', async () => {
  const app = await api('/api/v4/applications', {
    name: 'Node RP',
    redirect_uri: REDIRECT_URI,
    scopes: SCOPE,
    confidential: true,
  });
  check(app.application_id && app.secret, `no application_id or secret in ${safeJson(app)}`);
  return app;
});

const publicApp = await step('register a public application', async () => {
  const app = await api('/api/v4/applications', {
    name: 'Node RP public',
    redirect_uri: REDIRECT_URI,
    scopes: SCOPE,
    confidential: false,
  });
  check(app.application_id, `no application_id in ${safeJson(app)}`);
  return app;
});

// -- Confidential client, client_secret_basic: the whole tour.

const basic = await step('basic: discovery', async () => {
  need(confidential);
  const config = await client.discovery(
    base,
    confidential.application_id,
    undefined,
    client.ClientSecretBasic(confidential.secret),
    insecure,
  );
  const metadata = config.serverMetadata();
  check(metadata.issuer === base.origin, `issuer ${metadata.issuer}`);
  check(metadata.supportsPKCE('S256'), 'S256 not supported');
  return config;
});

const basicCallback = await authorize('basic', basic, username, { consentExpected: true });
const tokens = await codeGrant('basic', basic, basicCallback);

const claims = await step('basic: ID token claims', () => {
  need(tokens);
  const claims = tokens.claims();
  checkIdClaims(claims, username);
  return claims;
});

await step('basic: fetchUserInfo', async () => {
  need(tokens, claims);
  const info = await client.fetchUserInfo(basic, tokens.access_token, claims.sub);
  check(info.sub === claims.sub, `sub ${info.sub}`);
  check(info.preferred_username === username, `preferred_username ${info.preferred_username}`);
  check(Array.isArray(info.groups), `groups is ${safeJson(info.groups)}`);
});

// Roster rotates on refresh: the new pair replaces the old one, whose access
// token stops working, so the checks below use the refreshed access token.
const refreshed = await step('basic: refreshTokenGrant', async () => {
  need(tokens);
  check(tokens.refresh_token, 'no refresh_token from the code grant');
  const refreshed = await client.refreshTokenGrant(basic, tokens.refresh_token);
  check(refreshed.access_token, 'no access_token');
  check(refreshed.access_token !== tokens.access_token, 'the access token did not change');
  check(refreshed.id_token, 'no id_token');
  check(refreshed.claims()?.sub === claims?.sub, 'the refreshed ID token has another sub');
  return refreshed;
});

await step('basic: tokenIntrospection of a live token', async () => {
  need(refreshed);
  const answer = await client.tokenIntrospection(basic, refreshed.access_token);
  check(answer.active === true, `active is ${answer.active}`);
  check(answer.client_id === undefined || answer.client_id === confidential.application_id, `client_id ${answer.client_id}`);
});

await step('basic: tokenRevocation', async () => {
  need(refreshed);
  await client.tokenRevocation(basic, refreshed.access_token);
});

await step('basic: tokenIntrospection of the revoked token', async () => {
  need(refreshed);
  const answer = await client.tokenIntrospection(basic, refreshed.access_token);
  check(answer.active === false, `active is ${answer.active}`);
});

await step('basic: RP-initiated logout', async () => {
  need(tokens);
  const url = client.buildEndSessionUrl(basic, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: REDIRECT_URI,
    state: 'bye',
  });
  const response = await browse(url);
  const location = expectRedirect(response, 302, 'GET the end-session URL');
  check(location === `${REDIRECT_URI}?state=bye`, `Location ${location}`);
});

// -- Public client, no client authentication: signs in again.

const publicConfig = await step('public: discovery', async () => {
  need(publicApp);
  return client.discovery(base, publicApp.application_id, undefined, client.None(), insecure);
});
const publicCallback = await authorize('public', publicConfig, username, { consentExpected: true });
const publicTokens = await codeGrant('public', publicConfig, publicCallback);
await step('public: ID token claims', () => {
  need(publicTokens);
  checkIdClaims(publicTokens.claims(), username);
});

// -- Confidential client again, client_secret_post: consent remembered.

const post = await step('post: discovery', async () => {
  need(confidential);
  return client.discovery(
    base,
    confidential.application_id,
    undefined,
    client.ClientSecretPost(confidential.secret),
    insecure,
  );
});
const postCallback = await authorize('post', post, username, { consentExpected: false });
const postTokens = await codeGrant('post', post, postCallback);
await step('post: ID token claims', () => {
  need(postTokens);
  checkIdClaims(postTokens.claims(), username);
});
await step('post: tokenIntrospection', async () => {
  need(postTokens);
  const answer = await client.tokenIntrospection(post, postTokens.access_token);
  check(answer.active === true, `active is ${answer.active}`);
});

console.log(`openid-client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
