// The graph over HTTP (POST /graphql, relative to the console: works behind a path prefix) and over
// WebSocket (graphql-transport-ws, through graphql-ws) for the subscription.
import { createClient } from 'graphql-ws'
import { authorization, getCredential, onCredentialChange, setCredential } from './auth.js'

export const endpoint = new URL('../graphql', document.baseURI).toString()

export class GraphQLRequestError extends Error {
  constructor(message, { status, code, lost } = {}) {
    super(message)
    this.status = status
    this.code = code
    /** True when no reply came: the request may or may not have been carried out. */
    this.lost = Boolean(lost)
  }
}

let onSignedOut = () => {}
export function whenSignedOut(callback) {
  onSignedOut = callback
}

/** {data, errors} of one request; throws GraphQLRequestError when there is no GraphQL answer at all. */
export async function gql(query, variables = {}) {
  let response
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authorization() },
      body: JSON.stringify({ query, variables }),
    })
  } catch (error) {
    throw new GraphQLRequestError(error.message || 'network error', { lost: true })
  }
  let body = null
  try {
    body = await response.json()
  } catch {
    // not JSON: a proxy's page, a cut-off reply
  }
  const code = body?.errors?.[0]?.extensions?.code
  if (response.status === 401) {
    setCredential(null)
    onSignedOut(body?.errors?.[0]?.message)
    throw new GraphQLRequestError(body?.errors?.[0]?.message || 'unauthenticated', { status: 401, code })
  }
  if (!body || (body.data === undefined && !body.errors)) {
    // A gateway error page or a cut reply: for a write, its outcome is unknown.
    throw new GraphQLRequestError(`HTTP ${response.status}`, { status: response.status, lost: response.status >= 500 })
  }
  if (body.data == null && body.errors?.length && response.status >= 400) {
    throw new GraphQLRequestError(body.errors[0].message, { status: response.status, code })
  }
  return body
}

// -- subscriptions ---------------------------------------------------------------------------------------------

let client = null

function wsUrl() {
  const url = new URL(endpoint)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

export function subscriptions() {
  if (!client) {
    client = createClient({
      url: wsUrl(),
      lazy: true,
      retryAttempts: Infinity,
      // A dropped connection is retried (with graphql-ws' randomised backoff); a refused sign-in (4403) is not.
      shouldRetry: (event) => !(event && typeof event.code === 'number' && event.code >= 4400 && event.code < 4500),
      connectionParams: () => {
        const credential = getCredential()
        return credential ? { Authorization: `Bearer ${credential.value}` } : {}
      },
    })
    onCredentialChange(() => {
      // A new principal: a new connection (the socket signs in once, at connection_init).
      client?.dispose()
      client = null
    })
  }
  return client
}
