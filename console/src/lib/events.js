// The live change events (Subscription.events over graphql-ws), kept for the whole session: the
// Notifications screen lists them, the Overview shows the latest, the navigation counts the unread.
import { useEffect, useState } from 'preact/hooks'
import { subscriptions } from './graphql.js'

const MAX = 200
const EVENTS = `subscription Events { events { id type occurredAt subject partnerId data } }`

const store = { items: [], status: 'idle', error: null, unread: 0 }
const listeners = new Set()
let stop = null
let wanted = false

function notify() {
  for (const listener of listeners) listener({ ...store })
}

export function startEvents() {
  wanted = true
  if (stop) return
  const client = subscriptions()
  store.status = 'connecting'
  notify()
  const offConnected = client.on('connected', () => {
    store.status = 'live'
    store.error = null
    notify()
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

export function stopEvents() {
  wanted = false
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
