// Signing in: the gateway's /console/config.json says how (open, API keys, an OIDC issuer).
// - OIDC: authorization code with PKCE (S256) against the issuer's discovery document; the state and the
//   verifier live in sessionStorage for the round trip only; the access token is kept in sessionStorage
//   (this tab, until it closes or signs out), never in localStorage.
// - An API key (or a token) pasted for development: kept the same way.
const CREDENTIAL = 'pgw.console.credential'
const PENDING_LOGIN = 'pgw.console.oidc'

let credential = load()
const listeners = new Set()

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CREDENTIAL) || 'null')
    if (saved && typeof saved.value === 'string') {
      if (saved.expiresAt && Date.now() >= saved.expiresAt) return null
      return saved
    }
  } catch {
    // nothing usable kept
  }
  return null
}

export function getCredential() {
  return credential
}

export function onCredentialChange(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function setCredential(next) {
  credential = next
  try {
    if (next) sessionStorage.setItem(CREDENTIAL, JSON.stringify(next))
    else sessionStorage.removeItem(CREDENTIAL)
  } catch {
    // kept in memory only
  }
  for (const listener of listeners) listener(next)
}

export function authorization() {
  return credential ? { authorization: `Bearer ${credential.value}` } : {}
}

export async function loadConfig() {
  const response = await fetch(new URL('config.json', document.baseURI), { headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)
  return response.json()
}

// -- OIDC authorization code with PKCE ------------------------------------------------------------------------------

function base64url(bytes) {
  let text = ''
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function randomString(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)))
}

async function discovery(issuer) {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  const response = await fetch(url, { headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`OIDC discovery: HTTP ${response.status}`)
  const document = await response.json()
  if (document.issuer && document.issuer.replace(/\/+$/, '') !== issuer.replace(/\/+$/, '')) {
    throw new Error('OIDC discovery: the document names another issuer')
  }
  if (!document.authorization_endpoint || !document.token_endpoint) throw new Error('OIDC discovery: endpoints missing')
  return document
}

/** Where the issuer sends the browser back: this page, without query or hash. */
export function redirectUri() {
  const here = new URL(location.href)
  return `${here.origin}${here.pathname}`
}

/** Off to the issuer's sign-in page; `returnTo` is the hash route to come back to. */
export async function startOidc(oidc, returnTo) {
  const meta = await discovery(oidc.issuer)
  const verifier = randomString(48)
  const state = randomString(24)
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))
  sessionStorage.setItem(
    PENDING_LOGIN,
    JSON.stringify({ state, verifier, returnTo, issuer: oidc.issuer, tokenEndpoint: meta.token_endpoint }),
  )
  const url = new URL(meta.authorization_endpoint)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: (oidc.scopes || ['openid']).join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()
  location.assign(url.toString())
}

/**
 * Back from the issuer (?code=...&state=... or ?error=...): checks the state, trades the code for a token,
 * and clears the query from the address bar. Returns {returnTo} when it signed in, null when there was nothing
 * to finish; throws when the round trip failed.
 */
export async function finishOidc(oidc) {
  const params = new URLSearchParams(location.search)
  if (!params.has('code') && !params.has('error')) return null
  const pending = JSON.parse(sessionStorage.getItem(PENDING_LOGIN) || 'null')
  sessionStorage.removeItem(PENDING_LOGIN)
  history.replaceState(null, '', `${redirectUri()}${pending?.returnTo || ''}`)
  if (params.has('error')) throw new Error(`${params.get('error')}: ${params.get('error_description') || ''}`.trim())
  if (!pending || !oidc || params.get('state') !== pending.state) throw new Error('state mismatch: sign in again')
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
  })
  const body = await response.json().catch(() => ({}))
  if (!response.ok || !body.access_token) {
    throw new Error(`token endpoint: ${body.error || `HTTP ${response.status}`}`)
  }
  const expiresAt = body.expires_in ? Date.now() + Number(body.expires_in) * 1000 : null
  setCredential({ kind: 'oidc', value: body.access_token, expiresAt })
  return { returnTo: pending.returnTo }
}
