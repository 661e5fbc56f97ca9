// The change events, kept for the whole session: the Notifications screen lists them, the Overview shows the
// latest, the navigation counts the unread. Live from Subscription.events (graphql-ws), which streams from
// now on; for admins and finance, the latest ones before that come from Query.recentEvents, read each time
// the subscription (re)connects, so what happened before sign-in, or while the connection was down, shows too.
import { useEffect, useState } from 'preact/hooks'
import { gql, subscriptions } from './graphql.js'

const MAX = 200
const FIELDS = 'id type occurredAt subject partnerId data'
const EVENTS = `subscription Events { events { ${FIELDS} } }`
const RECENT = `query RecentEvents($first: Int!) { recentEvents(first: $first) { ${FIELDS} } }`
const RECENT_COUNT = 20
const JOIN_MS = 300

const store = { items: [], status: 'idle', error: null, unread: 0 }
const listeners = new Set()
let stop = null
let wanted = false
let history = false
let connections = 0

function notify() {
  for (const listener of listeners) listener({ ...store })
}

/** Start the live stream; `withHistory`: the principal may read Query.recentEvents (not sales keys). */
export function startEvents({ withHistory = history } = {}) {
  wanted = true
  history = withHistory
  if (stop) return
  const client = subscriptions()
  store.status = 'connecting'
  notify()
  const offConnected = client.on('connected', () => {
    store.status = 'live'
    store.error = null
    notify()
    // Read once the subscription has had a moment to join the stream (it is sent right after this): an event
    // recorded in between is then in both, and kept once, rather than in neither.
    if (history) setTimeout(loadRecent, JOIN_MS, connections++ > 0)
  })
  const offClosed = client.on('closed', (event) => {
    if (stop) {
      store.status = 'reconnecting'
      store.error = event?.code ? `${event.code} ${event.reason || ''}`.trim() : null
      notify()
    }
  })
  const unsubscribe = client.subscribe(
    { query: EVENTS },
    {
      next: ({ data, errors }) => {
        if (data?.events && !store.items.some((e) => e.id === data.events.id)) {
          store.items = [data.events, ...store.items].slice(0, MAX)
          store.unread += 1
        }
        if (errors?.length) store.error = errors.map((e) => e.message).join('; ')
        notify()
      },
      error: (error) => {
        const errors = Array.isArray(error) ? error : []
        stop = null
        // Read too slowly (SUBSCRIPTION_LAGGED): the gateway ended it; subscribe again, as it asks.
        if (errors.some((e) => e.extensions?.code === 'SUBSCRIPTION_LAGGED')) {
          store.status = 'reconnecting'
          notify()
          setTimeout(() => wanted && startEvents(), 1000)
          return
        }
        store.status = 'error'
        store.error = error?.message || (errors.length ? errors.map((e) => e.message).join('; ') : `${error?.code ?? ''} ${error?.reason ?? ''}`.trim() || String(error))
        notify()
      },
      complete: () => {
        store.status = 'closed'
        stop = null
        notify()
      },
    },
  )
  stop = () => {
    offConnected()
    offClosed()
    unsubscribe()
  }
}

/**
 * Merge the latest events (newest first) into what the stream gave: those newer than any already shown go on
 * top (unread, after a reconnection: they happened while it was down), the older ones below.
 */
async function loadRecent(reconnected) {
  let body
  try {
    body = await gql(RECENT, { first: RECENT_COUNT })
  } catch {
    return // the live stream goes on; the history is a nicety
  }
  const recent = body.data?.recentEvents
  if (!recent || !wanted) return
  const known = new Set(store.items.map((e) => e.id))
  const firstKnown = recent.findIndex((e) => known.has(e.id))
  const newer = (firstKnown < 0 ? recent : recent.slice(0, firstKnown)).filter((e) => !known.has(e.id))
  const older = firstKnown < 0 ? [] : recent.slice(firstKnown).filter((e) => !known.has(e.id))
  if (!newer.length && !older.length) return
  store.items = [...newer, ...store.items, ...older].slice(0, MAX)
  if (reconnected) store.unread += newer.length
  notify()
}

export function stopEvents() {
  wanted = false
  connections = 0
  const current = stop
  stop = null
  current?.()
  store.items = []
  store.unread = 0
  store.status = 'idle'
  notify()
}

export function markRead() {
  if (store.unread) {
    store.unread = 0
    notify()
  }
}

export function useEvents() {
  const [state, set] = useState({ ...store })
  useEffect(() => {
    listeners.add(set)
    set({ ...store })
    return () => listeners.delete(set)
  }, [])
  return state
}
