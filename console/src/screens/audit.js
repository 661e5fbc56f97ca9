// For admins: every mutation attempt (Query.auditLog) and every webhook delivery (Query.webhookDeliveries), with
// a redelivery of one that died or should go again.
import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { dateTime } from '../lib/format.js'
import { gql } from '../lib/graphql.js'
import { Badge, Empty, Errors, Field, Loading, nodes, useQuery } from '../lib/ui.js'

const AUDIT = `query Audit($first: Int, $after: String, $filter: AuditFilterInput) {
  auditLog(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id at principal operation partnerAccount input outcome errorCode requestIds operationId durationMs } } }`
const DELIVERIES = `query Deliveries($first: Int, $after: String, $filter: WebhookDeliveryFilterInput) {
  webhookDeliveries(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id webhook eventId eventType subject status attempts nextAttemptAt lastAttemptAt lastResponseStatus lastError deliveredAt createdAt } } }`
const REDELIVER = `mutation Redeliver($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename
  ... on WebhookDeliveryPayload { delivery { id status } } ... on MutationError { message code } } }`
const OUTCOMES = ['SUCCEEDED', 'RECONCILED', 'REPLAYED', 'FAILED', 'REJECTED', 'CONFLICT', 'NOT_APPLIED', 'PENDING']
const TONES = { SUCCEEDED: 'good', RECONCILED: 'good', REPLAYED: 'info', PENDING: 'wait', DELIVERED: 'good', DEAD: 'bad' }

export function Audit() {
  const [tab, setTab] = useState('audit')
  return html`<div class="screen">
    <h1>${t('nav.audit')}</h1>
    <div class="tabs" role="tablist">
      ${['audit', 'webhooks'].map((id) => html`<button type="button" role="tab" id=${`tab-${id}`} aria-controls=${`panel-${id}`} aria-selected=${tab === id ? 'true' : 'false'}
        data-testid=${`tab-${id}`} onClick=${() => setTab(id)}>${t(`audit.tab.${id}`)}</button>`)}
    </div>
    <div role="tabpanel" id=${`panel-${tab}`} aria-labelledby=${`tab-${tab}`}>${tab === 'audit' ? html`<${AuditLog} />` : html`<${Deliveries} />`}</div>
  </div>`
}

function usePaged(query, filter) {
  const [pages, setPages] = useState([null])
  const variables = { first: 50, after: pages[pages.length - 1], filter }
  const result = useQuery(query, variables, JSON.stringify(variables))
  return { ...result, pages, setPages }
}

function Pager({ connection, pages, setPages }) {
  return html`<div class="pager">
    <span role="status">${connection ? t('audit.total', { n: connection.totalCount }) : ''}</span>
    <button type="button" disabled=${pages.length < 2} onClick=${() => setPages(pages.slice(0, -1))}>${t('common.prev')}</button>
    <button type="button" disabled=${!connection?.pageInfo.hasNextPage} onClick=${() => setPages([...pages, connection.pageInfo.endCursor])}>${t('common.next')}</button>
  </div>`
}

function AuditLog() {
  const [filter, setFilter] = useState({ operation: '', outcome: '', principal: '' })
  const active = Object.fromEntries(Object.entries(filter).filter(([, v]) => v))
  const query = usePaged(AUDIT, Object.keys(active).length ? active : null)
  const connection = query.data?.auditLog
  const set = (name) => (e) => (setFilter({ ...filter, [name]: e.currentTarget.value }), query.setPages([null]))
  return html`<div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <${Field} label=${t('audit.operation')} id="audit-operation"><input id="audit-operation" data-testid="audit-operation" value=${filter.operation} onChange=${set('operation')} /><//>
      <${Field} label=${t('audit.principal')} id="audit-principal"><input id="audit-principal" value=${filter.principal} onChange=${set('principal')} /><//>
      <${Field} label=${t('audit.outcome')} id="audit-outcome">
        <select id="audit-outcome" data-testid="audit-outcome" value=${filter.outcome} onChange=${set('outcome')}>
          <option value="">${t('common.all')}</option>${OUTCOMES.map((o) => html`<option value=${o}>${o}</option>`)}
        </select>
      <//>
    </form>
    <${Errors} errors=${query.errors} error=${query.error} />
    <div class="table-wrap"><table class="table" data-testid="audit-table">
      <thead><tr><th scope="col">${t('common.at')}</th><th scope="col">${t('audit.operation')}</th><th scope="col">${t('audit.principal')}</th><th scope="col">${t('audit.outcome')}</th><th scope="col">${t('audit.detail')}</th></tr></thead>
      <tbody>${nodes(connection).map((r) => html`<tr data-testid="audit-row" data-outcome=${r.outcome}>
        <td>${dateTime(r.at)}</td>
        <th scope="row"><code>${r.operation}</code>${r.partnerAccount ? html`<div class="small muted">${r.partnerAccount}</div>` : null}</th>
        <td>${r.principal}</td>
        <td><${Badge} tone=${TONES[r.outcome] || 'bad'}>${r.outcome}<//>${r.errorCode ? html`<div class="small"><code>${r.errorCode}</code></div>` : null}</td>
        <td class="small"><details><summary>${t('audit.input')}</summary><pre>${JSON.stringify(r.input, null, 2)}</pre></details>
          ${r.operationId ? html`<div class="muted">${t('outcome.operation')} ${r.operationId}</div>` : null}
          ${r.durationMs != null ? html`<div class="muted">${r.durationMs} ms</div>` : null}</td>
      </tr>`)}</tbody>
    </table>
    ${query.loading ? html`<${Loading} />` : !nodes(connection).length ? html`<${Empty} />` : null}</div>
    <${Pager} connection=${connection} pages=${query.pages} setPages=${query.setPages} />
  </div>`
}

function Deliveries() {
  const [status, setStatus] = useState('')
  const [message, setMessage] = useState(null)
  const query = usePaged(DELIVERIES, status ? { status } : null)
  const connection = query.data?.webhookDeliveries
  const redeliver = async (d) => {
    const body = await gql(REDELIVER, { id: d.id }).catch((e) => ({ errors: [e] }))
    const r = body.data?.redeliverWebhook
    setMessage(r?.__typename === 'WebhookDeliveryPayload' ? { ok: true, text: t('audit.redelivered', { id: d.eventId }) } : { ok: false, text: r?.message || body.errors?.[0]?.message })
    query.reload()
  }
  return html`<div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <${Field} label=${t('common.status')} id="delivery-status">
        <select id="delivery-status" data-testid="delivery-status" value=${status} onChange=${(e) => (setStatus(e.currentTarget.value), query.setPages([null]))}>
          <option value="">${t('common.all')}</option>${['PENDING', 'DELIVERED', 'DEAD'].map((s) => html`<option value=${s}>${te('delivery', s)}</option>`)}
        </select>
      <//>
    </form>
    ${message ? html`<p class=${`alert ${message.ok ? 'alert-good' : 'alert-error'}`} role="status">${message.text}</p>` : null}
    <${Errors} errors=${query.errors} error=${query.error} />
    <div class="table-wrap"><table class="table" data-testid="deliveries-table">
      <thead><tr><th scope="col">${t('audit.event')}</th><th scope="col">${t('audit.webhook')}</th><th scope="col">${t('common.status')}</th><th scope="col">${t('audit.attempts')}</th><th scope="col">${t('audit.last')}</th><th scope="col"><span class="sr-only">${t('audit.redeliver')}</span></th></tr></thead>
      <tbody>${nodes(connection).map((d) => html`<tr data-testid="delivery-row" data-status=${d.status}>
        <th scope="row"><code>${d.eventType}</code><div class="small muted">${d.subject} · ${dateTime(d.createdAt)}</div></th>
        <td>${d.webhook}</td>
        <td><${Badge} tone=${TONES[d.status] || 'wait'}>${te('delivery', d.status)}<//></td>
        <td>${d.attempts}</td>
        <td class="small">${d.lastAttemptAt ? dateTime(d.lastAttemptAt) : '—'} ${d.lastResponseStatus ? html`<code>HTTP ${d.lastResponseStatus}</code>` : null} ${d.lastError || ''}
          ${d.nextAttemptAt ? html`<div class="muted">${t('audit.next', { at: dateTime(d.nextAttemptAt) })}</div>` : null}</td>
        <td>${d.status !== 'PENDING' ? html`<button type="button" data-testid="redeliver" onClick=${() => redeliver(d)}>${t('audit.redeliver')}</button>` : null}</td>
      </tr>`)}</tbody>
    </table>
    ${query.loading ? html`<${Loading} />` : !nodes(connection).length ? html`<${Empty}>${t('audit.noDeliveries')}<//>` : null}</div>
    <${Pager} connection=${connection} pages=${query.pages} setPages=${query.setPages} />
  </div>`
}
