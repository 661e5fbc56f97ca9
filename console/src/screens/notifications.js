// Notifications: the change events, newest first: the latest before sign-in (Query.recentEvents; not for sales
// keys), then live from Subscription.events (graphql-ws). See lib/events.js.
import { useEffect } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { dateTime } from '../lib/format.js'
import { markRead, useEvents } from '../lib/events.js'
import { Alert, Badge } from '../lib/ui.js'

const TONES = { live: 'good', connecting: 'wait', reconnecting: 'wait', error: 'bad', closed: 'bad', idle: 'info' }

export function Notifications({ viewer }) {
  const events = useEvents()
  useEffect(() => markRead(), [events.unread])
  return html`<div class="screen">
    <div class="screen-head">
      <h1>${t('nav.notifications')}</h1>
      <${Badge} tone=${TONES[events.status]} data-testid="subscription-status" data-status=${events.status}>${te('live', events.status)}<//>
    </div>
    <p class="muted">${viewer?.role === 'SALES' ? t('notifications.introLive') : t('notifications.intro')}</p>
    ${events.error ? html`<${Alert}>${events.error}<//>` : null}
    <ol class="events" aria-live="polite" aria-relevant="additions" data-testid="notification-list">
      ${events.items.map((e) => html`<${EventItem} event=${e} key=${e.id} />`)}
    </ol>
    ${events.items.length ? null : html`<p class="empty">${t('notifications.none')}</p>`}
  </div>`
}

export function EventItem({ event, testid = 'notification-item' }) {
  return html`<li class="event" data-testid=${testid} data-type=${event.type} data-event-id=${event.id}>
    <div class="event-head">
      <strong>${te('event', event.type)}</strong>
      <code class="small">${event.type}</code>
      <time datetime=${event.occurredAt} class="muted small">${dateTime(event.occurredAt)}</time>
    </div>
    <div class="small">${summary(event)}</div>
  </li>`
}

function summary(event) {
  const d = event.data || {}
  const parts = []
  for (const name of ['customerName', 'resellerName', 'name', 'customerId', 'voucherId', 'toStage', 'status', 'month', 'kind', 'outcome']) {
    if (d[name] != null && typeof d[name] !== 'object') parts.push(`${name}: ${d[name]}`)
  }
  for (const name of ['available', 'creditLine', 'threshold', 'faceValue', 'remaining', 'debt']) {
    const m = d[name]
    if (m && typeof m === 'object' && m.amount != null) parts.push(`${name}: ${m.amount} ${m.currency || ''}`.trim())
  }
  return parts.length ? parts.join(' · ') : event.subject
}
