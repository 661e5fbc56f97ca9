// One customer: facts, funds and credit controls, consumption, orders, vouchers, notes, credit history, and the
// writes the principal's role and the customer's cloud allow (each keyed in the browser: lib/actions.js).
import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { date, dateTime, money, month } from '../lib/format.js'
import { href } from '../lib/router.js'
import { isOpen, useActions } from '../lib/actions.js'
import { Outcome } from '../lib/outcome.js'
import { TrendChart } from '../lib/charts.js'
import { RECEIPT, RESULT, WriteForm } from '../lib/writeform.js'
import { Alert, Badge, CustomerStatus, Empty, Errors, Loading, Money, Provider, Section, nodes, useQuery } from '../lib/ui.js'

const MONEY = 'amount currency'
const CUSTOMER = `query Customer($id: ID!) {
  node(id: $id) { ... on Customer {
    id provider nativeId name accountType kind status invitationExpiresAt invitationId realNameVerified owner associatedAt
    email phone newCustomerTag
    partner { id name provider role capabilities }
    funds { available { ${MONEY} } debt { ${MONEY} } creditLine { ${MONEY} }
      controls { warningThreshold newPurchasesBanned shutdownPolicy payAsYouGoFrozen } }
    vouchers { id nativeId faceValue { ${MONEY} } remaining { ${MONEY} } status issuedAt validUntil sourceId }
    orders(first: 10) { totalCount nodes { id nativeId status orderType productCode productName amountDue { ${MONEY} } createdAt paidAt } }
    notes(first: 10) { totalCount nodes { nativeId content contactName creator createdAt } }
    creditHistory(first: 5) { nodes { kind occurredAt description before after amount { ${MONEY} } operator } }
  } }
}`
const CONSUMPTION = `query CustomerConsumption($id: ID!, $from: String, $to: String) {
  node(id: $id) { ... on Customer { id consumption(from: $from, to: $to) {
    totals { amount { ${MONEY} } source }
    trend { period amount { ${MONEY} } source }
    byProduct(first: 5) { productCode productName amount { ${MONEY} } source }
    monthOverMonth { month previousMonth current { amount { ${MONEY} } source } previous { amount { ${MONEY} } source } }
  } } }
}`
const ISSUE_SOURCES = `query VoucherSources($partner: ID!) {
  node(id: $partner) { ... on Partner { id provider
    voucherTemplates(first: 50) { nodes { nativeId name status faceValue { ${MONEY} } } }
    voucherQuotas(first: 50) { nodes { nativeId total { ${MONEY} } remaining { ${MONEY} } status } }
  } }
}`

const customerWrite = (name, args, params) => `mutation ${name[0].toUpperCase()}${name.slice(1)}(${params}, $idempotencyKey: String!) {
  ${name}(${args}, idempotencyKey: $idempotencyKey) { ${RESULT}
    ... on CustomerPayload { ${RECEIPT} customer { id status balance { ${MONEY} } } }
  }
}`
const MONEY_WRITE = (name) => customerWrite(name, 'customerId: $customerId, amount: $amount', '$customerId: ID!, $amount: MoneyInput!')
const WRITES = {
  transferFunds: MONEY_WRITE('transferFunds'),
  reclaimFunds: MONEY_WRITE('reclaimFunds'),
  setCreditLine: MONEY_WRITE('setCreditLine'),
  setWarningThreshold: customerWrite('setWarningThreshold', 'customerId: $customerId, percent: $percent', '$customerId: ID!, $percent: Int!'),
  setNewPurchaseBan: customerWrite('setNewPurchaseBan', 'customerId: $customerId, banned: $banned', '$customerId: ID!, $banned: Boolean!'),
  setShutdownPolicy: customerWrite('setShutdownPolicy', 'customerId: $customerId, policy: $policy', '$customerId: ID!, $policy: ShutdownPolicy!'),
  setCustomerFrozen: customerWrite('setCustomerFrozen', 'customerId: $customerId, frozen: $frozen', '$customerId: ID!, $frozen: Boolean!'),
  addNote: customerWrite('addNote', 'customerId: $customerId, input: $input', '$customerId: ID!, $input: NoteInput!'),
  resendInvitation: customerWrite('resendInvitation', 'partnerId: $partnerId, invitationId: $invitationId', '$partnerId: ID!, $invitationId: String!'),
  issueVoucher: `mutation IssueVoucher($customerId: ID!, $input: IssueVoucherInput!, $idempotencyKey: String!) {
    issueVoucher(customerId: $customerId, input: $input, idempotencyKey: $idempotencyKey) { ${RESULT}
      ... on VoucherPayload { ${RECEIPT} vouchers { id nativeId } } } }`,
  reclaimVoucher: `mutation ReclaimVoucher($voucherId: ID!, $idempotencyKey: String!) {
    reclaimVoucher(voucherId: $voucherId, idempotencyKey: $idempotencyKey) { ${RESULT}
      ... on VoucherPayload { ${RECEIPT} vouchers { id nativeId status } } } }`,
}

/** Errors worth showing: a cloud without an API for a field is said in place, not as an error. */
const shown = (errors) => errors?.filter((e) => e.extensions?.code !== 'UNSUPPORTED_BY_PROVIDER')

export function CustomerDetail({ id, viewer }) {
  const query = useQuery(CUSTOMER, { id }, id)
  const c = query.data?.node
  if (query.loading && !c) return html`<div class="screen"><${Loading} /></div>`
  if (!c) {
    return html`<div class="screen">
      <p><a href=${href('customers')}>← ${t('nav.customers')}</a></p>
      <${Errors} errors=${shown(query.errors)} error=${query.error} />
      ${query.error || shown(query.errors)?.length ? null : html`<${Alert} tone="warn">${t('customer.notFound')}<//>`}
    </div>`
  }
  return html`<div class="screen" data-testid="customer-detail" data-customer-id=${c.id} data-provider=${c.provider}>
    <p><a href=${href('customers')}><span aria-hidden="true">← </span>${t('nav.customers')}</a></p>
    <div class="screen-head">
      <h1>${c.name}</h1>
      <div class="row"><${Provider} provider=${c.provider} /> <${CustomerStatus} status=${c.status} /></div>
    </div>
    <${Errors} errors=${shown(query.errors)} error=${query.error} />
    <div class="grid">
      <${Facts} c=${c} />
      <${Funds} c=${c} />
    </div>
    <${OpenActions} target=${c.id} onSettled=${query.reload} />
    <${Actions} c=${c} viewer=${viewer} onSettled=${query.reload} />
    <${CustomerConsumption} id=${c.id} />
    <div class="grid">
      <${Orders} c=${c} />
      <${Vouchers} c=${c} viewer=${viewer} onSettled=${query.reload} />
    </div>
    <div class="grid">
      <${Notes} c=${c} onSettled=${query.reload} />
      ${c.provider === 'aliyun' ? html`<${CreditHistory} c=${c} />` : null}
    </div>
  </div>`
}

function Facts({ c }) {
  return html`<${Section} title=${t('customer.facts')} id="customer-facts">
    <dl class="facts">
      <dt>${t('customer.nativeId')}</dt><dd><code>${c.nativeId}</code></dd>
      <dt>${t('common.partner')}</dt><dd>${c.partner.name} <span class="muted small">(${c.partner.role})</span></dd>
      <dt>${t('customers.accountType')}</dt><dd>${te('accountType', c.accountType)}</dd>
      <dt>${t('customer.kind')}</dt><dd>${te('kind', c.kind)}</dd>
      <dt>${t('customers.realName')}</dt><dd>${c.realNameVerified == null ? '—' : c.realNameVerified ? `✓ ${t('common.yes')}` : `✕ ${t('common.no')}`}</dd>
      <dt>${t('customers.owner')}</dt><dd>${c.owner || '—'}</dd>
      <dt>${t('customer.associatedAt')}</dt><dd>${dateTime(c.associatedAt)}</dd>
      ${c.invitationExpiresAt ? html`<dt>${t('customer.invitationExpires')}</dt><dd>${dateTime(c.invitationExpiresAt)}</dd>` : null}
      <dt>${t('customer.email')}</dt><dd>${c.email || '—'}</dd>
      <dt>${t('customer.phone')}</dt><dd>${c.phone || '—'}</dd>
      ${c.provider === 'huaweicloud' ? html`<dt>${t('customer.newTag')}</dt><dd>${te('newTag', c.newCustomerTag)}</dd>` : null}
    </dl>
  <//>`
}

function Funds({ c }) {
  const f = c.funds
  const controls = f?.controls
  return html`<${Section} title=${t('customer.funds')} id="customer-funds">
    ${f
      ? html`<dl class="facts" data-testid="customer-funds">
          <dt>${c.provider === 'aliyun' ? t('customer.availableCredit') : t('customer.balance')}</dt>
          <dd data-testid="customer-balance" data-amount=${f.available.amount}><${Money} value=${f.available} /></dd>
          ${f.creditLine ? html`<dt>${t('customer.creditLine')}</dt><dd data-testid="customer-credit-line"><${Money} value=${f.creditLine} /></dd>` : null}
          ${f.debt ? html`<dt>${t('customer.debt')}</dt><dd><${Money} value=${f.debt} /></dd>` : null}
        </dl>
        ${controls
          ? html`<h3>${t('customer.controls')}</h3>
              <dl class="facts">
                <dt>${t('customer.warningThreshold')}</dt><dd>${controls.warningThreshold == null ? '—' : `${controls.warningThreshold} %`}</dd>
                <dt>${t('customer.newPurchases')}</dt><dd>${controls.newPurchasesBanned == null ? '—' : controls.newPurchasesBanned ? html`<${Badge} tone="bad">${t('customer.banned')}<//>` : html`<${Badge} tone="good">${t('customer.allowed')}<//>`}</dd>
                <dt>${t('customer.shutdownPolicy')}</dt><dd>${te('shutdown', controls.shutdownPolicy)}</dd>
                <dt>${t('customer.paygFrozen')}</dt><dd>${controls.payAsYouGoFrozen == null ? '—' : controls.payAsYouGoFrozen ? html`<${Badge} tone="bad">${t('status.FROZEN')}<//>` : html`<${Badge} tone="good">${t('customer.notFrozen')}<//>`}</dd>
              </dl>`
          : null}`
      : html`<p class="muted">${t('customer.noFunds')}</p>`}
  <//>`
}

/** Writes of this customer whose outcome is still open (kept across reloads): check them again. */
function OpenActions({ target, onSettled }) {
  const open = useActions((a) => a.target === target && isOpen(a) && !a.sending)
  if (!open.length) return null
  return html`<${Section} title=${t('customer.openActions')} id="open-actions">
    ${open.map((a) => html`<div key=${a.id}><strong>${a.label}</strong><${Outcome} action=${a} onSettled=${onSettled} /></div>`)}
  <//>`
}

function Actions({ c, viewer, onSettled }) {
  const [open, setOpen] = useState(null)
  const caps = new Set(c.partner.capabilities)
  const money = viewer.movesMoney
  const available = []
  if (money && caps.has('TRANSFER_FUNDS') && c.accountType === 'RESALE') available.push('transfer', 'reclaim')
  if (money && caps.has('SET_CREDIT_LINE') && c.accountType === 'CONSIGNMENT') available.push('credit-line')
  if (money && caps.has('CREDIT_CONTROLS') && c.funds?.controls) available.push('warning-threshold', 'purchase-ban', 'shutdown-policy')
  if (money && caps.has('FREEZE_CUSTOMER') && c.status !== 'INVITED' && c.status !== 'INVITATION_EXPIRED') available.push('freeze')
  if (money && caps.has('ISSUE_VOUCHER') && c.status === 'ASSOCIATED') available.push('voucher')
  if (caps.has('RESEND_INVITATION') && c.invitationId && (c.status === 'INVITED' || c.status === 'INVITATION_EXPIRED')) available.push('resend')
  if (caps.has('ADD_NOTE')) available.push('note')
  const settled = () => onSettled()
  const common = { target: c.id, onSettled: settled }
  const amount = (id = 'amount') => [{ id, label: t('common.amount'), type: 'money' }]
  const moneyVars = (v) => ({ customerId: c.id, amount: { amount: v.amount.trim(), currency: 'CNY' } })
  const forms = {
    transfer: () => html`<${WriteForm} name="transfer" kind="transferFunds" title=${t('action.transfer')} intro=${t('action.transferIntro')}
      mutation=${WRITES.transferFunds} field="transferFunds" fields=${amount()} build=${moneyVars} ...${common} />`,
    reclaim: () => html`<${WriteForm} name="reclaim" kind="reclaimFunds" title=${t('action.reclaim')} intro=${t('action.reclaimIntro')}
      mutation=${WRITES.reclaimFunds} field="reclaimFunds" fields=${amount()} build=${moneyVars} ...${common} />`,
    'credit-line': () => html`<${WriteForm} name="credit-line" kind="setCreditLine" title=${t('action.creditLine')}
      mutation=${WRITES.setCreditLine} field="setCreditLine" fields=${amount()} build=${moneyVars} ...${common}
      initial=${{ amount: c.funds?.creditLine?.amount ?? '' }} />`,
    'warning-threshold': () => html`<${WriteForm} name="warning-threshold" kind="setWarningThreshold" title=${t('action.warningThreshold')}
      mutation=${WRITES.setWarningThreshold} field="setWarningThreshold" ...${common}
      fields=${[{ id: 'percent', label: t('customer.warningThreshold'), type: 'number', hint: '1–100 %' }]}
      initial=${{ percent: c.funds?.controls?.warningThreshold ?? '' }}
      build=${(v) => ({ customerId: c.id, percent: Number(v.percent) })} />`,
    'purchase-ban': () => html`<${WriteForm} name="purchase-ban" kind="setNewPurchaseBan" title=${t('action.purchaseBan')}
      mutation=${WRITES.setNewPurchaseBan} field="setNewPurchaseBan" ...${common}
      fields=${[{ id: 'banned', label: t('customer.newPurchases'), type: 'select', options: [{ value: 'true', label: t('customer.banned') }, { value: 'false', label: t('customer.allowed') }] }]}
      initial=${{ banned: String(Boolean(c.funds?.controls?.newPurchasesBanned)) }}
      build=${(v) => ({ customerId: c.id, banned: v.banned === 'true' })} />`,
    'shutdown-policy': () => html`<${WriteForm} name="shutdown-policy" kind="setShutdownPolicy" title=${t('action.shutdownPolicy')}
      mutation=${WRITES.setShutdownPolicy} field="setShutdownPolicy" ...${common}
      fields=${[{ id: 'policy', label: t('customer.shutdownPolicy'), type: 'select', options: ['DELAY_STOP', 'NO_STOP', 'IMMEDIATE_STOP'].map((p) => ({ value: p, label: te('shutdown', p) })) }]}
      initial=${{ policy: c.funds?.controls?.shutdownPolicy ?? 'DELAY_STOP' }}
      build=${(v) => ({ customerId: c.id, policy: v.policy })} />`,
    freeze: () => {
      const frozen = c.status === 'FROZEN' || c.funds?.controls?.payAsYouGoFrozen
      return html`<${WriteForm} name="freeze" kind="setCustomerFrozen" title=${frozen ? t('action.thaw') : t('action.freeze')}
        intro=${frozen ? t('action.thawIntro') : t('action.freezeIntro')}
        mutation=${WRITES.setCustomerFrozen} field="setCustomerFrozen" fields=${[]} ...${common}
        submitLabel=${frozen ? t('action.thaw') : t('action.freeze')}
        build=${() => ({ customerId: c.id, frozen: !frozen })} />`
    },
    voucher: () => html`<${IssueVoucher} c=${c} common=${common} />`,
    resend: () => html`<${WriteForm} name="resend" kind="resendInvitation" title=${t('action.resend')} intro=${t('action.resendIntro')}
      mutation=${WRITES.resendInvitation} field="resendInvitation" fields=${[]} ...${common} submitLabel=${t('action.resend')}
      build=${() => ({ partnerId: c.partner.id, invitationId: c.invitationId })} />`,
    note: () => html`<${WriteForm} name="note" kind="addNote" title=${t('action.note')} mutation=${WRITES.addNote} field="addNote" ...${common}
      fields=${[
        { id: 'content', label: t('customer.noteContent'), type: 'textarea' },
        { id: 'contactName', label: t('customer.noteContact'), type: 'text', required: false },
      ]}
      build=${(v) => ({ customerId: c.id, input: { content: v.content.trim(), ...(v.contactName.trim() ? { contactName: v.contactName.trim() } : {}) } })} />`,
  }
  return html`<${Section} title=${t('customer.actions')} id="customer-actions">
    ${!money ? html`<p class="small muted" data-testid="no-money-actions"><span aria-hidden="true">⊘ </span>${t('customer.noMoney')}</p>` : null}
    ${money && !available.some((a) => ['transfer', 'credit-line'].includes(a))
      ? html`<p class="small muted">${c.provider === 'huaweicloud' ? t('customer.resaleOnly') : t('customer.consignmentOnly')}</p>`
      : null}
    <div class="actions" role="group" aria-label=${t('customer.actions')}>
      ${available.map(
        (name) => html`<button type="button" data-testid=${`action-${name}`} aria-expanded=${open === name ? 'true' : 'false'}
          aria-controls="action-panel" class=${open === name ? 'primary' : ''} onClick=${() => setOpen(open === name ? null : name)}>
          ${t(`actionButton.${name}`)}
        </button>`,
      )}
    </div>
    <div id="action-panel">${open && forms[open] ? forms[open]() : null}</div>
  <//>`
}

function IssueVoucher({ c, common }) {
  const query = useQuery(ISSUE_SOURCES, { partner: c.partner.id }, c.partner.id)
  const partner = query.data?.node
  if (query.loading) return html`<${Loading} />`
  const aliyun = c.provider === 'aliyun'
  const templates = nodes(partner?.voucherTemplates).filter((x) => x.status === 'APPROVED')
  const quotas = nodes(partner?.voucherQuotas).filter((x) => x.status === 'ACTIVE')
  const fields = aliyun
    ? [{ id: 'source', label: t('voucher.template'), type: 'select', placeholder: t('form.choose'),
        options: templates.map((x) => ({ value: x.nativeId, label: `${x.name} · ${money(x.faceValue)}` })) }]
    : [
        { id: 'source', label: t('voucher.quota'), type: 'select', placeholder: t('form.choose'),
          options: quotas.map((x) => ({ value: x.nativeId, label: `${x.nativeId} · ${t('voucher.remaining')} ${money(x.remaining)}` })) },
        { id: 'faceValue', label: t('voucher.faceValue'), type: 'money' },
      ]
  return html`<div>
    <${Errors} errors=${shown(query.errors)} error=${query.error} />
    <${WriteForm} name="voucher" kind="issueVoucher" title=${t('action.voucher')} mutation=${WRITES.issueVoucher} field="issueVoucher"
      fields=${fields} ...${common}
      build=${(v) => ({ customerId: c.id, input: aliyun ? { templateId: v.source } : { quotaId: v.source, faceValue: { amount: v.faceValue.trim(), currency: 'CNY' } } })} />
  </div>`
}

function CustomerConsumption({ id }) {
  const to = month(0)
  const from = month(11)
  const query = useQuery(CONSUMPTION, { id, from, to }, `${id}|${from}`)
  const consumption = query.data?.node?.consumption
  return html`<${Section} title=${t('customer.consumption', { from, to })} id="customer-consumption">
    <${Errors} errors=${shown(query.errors)} error=${query.error} />
    ${query.loading ? html`<${Loading} />` : null}
    ${consumption
      ? html`<div class="row small">
            ${consumption.totals.map((f) => html`<span><span class="muted">${t('overview.total')} (${te('source', f.source)}):</span> <${Money} value=${f.amount} /></span>`)}
          </div>
          <${TrendChart} points=${consumption.trend} label=${t('customer.consumptionChart')} kind="bar" testid="customer-consumption-chart" />
          ${consumption.byProduct.length ? html`<h3>${t('overview.topProducts')}</h3>
            <ul>${consumption.byProduct.map((p) => html`<li>${p.productName} <span class="muted small">(${p.productCode}, ${te('source', p.source)})</span> <${Money} value=${p.amount} /></li>`)}</ul>` : null}`
      : query.loading ? null : html`<p class="muted">${t('customer.noConsumption')}</p>`}
  <//>`
}

function Orders({ c }) {
  const list = nodes(c.orders)
  return html`<${Section} title=${t('customer.orders', { n: c.orders?.totalCount ?? 0 })} id="customer-orders">
    ${c.orders == null ? html`<p class="muted">${t('customer.unsupported')}</p>` : list.length ? html`<div class="table-wrap"><table class="table" data-testid="orders-table">
      <thead><tr><th scope="col">${t('order.product')}</th><th scope="col">${t('order.type')}</th><th scope="col">${t('common.status')}</th><th scope="col" class="num">${t('order.amount')}</th><th scope="col">${t('order.created')}</th></tr></thead>
      <tbody>${list.map((o) => html`<tr><th scope="row">${o.productName || o.productCode || o.nativeId}</th><td>${te('orderType', o.orderType)}</td><td>${te('orderStatus', o.status)}</td><td class="num"><${Money} value=${o.amountDue} /></td><td>${date(o.createdAt)}</td></tr>`)}</tbody>
    </table></div>` : html`<${Empty} />`}
  <//>`
}

function Vouchers({ c, viewer, onSettled }) {
  const list = c.vouchers ?? []
  const [reclaiming, setReclaiming] = useState(null)
  const canReclaim = viewer.movesMoney && c.partner.capabilities.includes('RECLAIM_VOUCHER')
  return html`<${Section} title=${t('customer.vouchers', { n: list.length })} id="customer-vouchers">
    ${c.vouchers == null ? html`<p class="muted">${t('customer.unsupported')}</p>` : list.length ? html`<div class="table-wrap"><table class="table" data-testid="vouchers-table">
      <thead><tr><th scope="col">${t('voucher.id')}</th><th scope="col" class="num">${t('voucher.faceValue')}</th><th scope="col" class="num">${t('voucher.remaining')}</th><th scope="col">${t('common.status')}</th><th scope="col">${t('voucher.validUntil')}</th>${canReclaim ? html`<th scope="col"><span class="sr-only">${t('action.reclaimVoucher')}</span></th>` : null}</tr></thead>
      <tbody>${list.map((v) => html`<tr data-testid="voucher-row" data-voucher-id=${v.id}>
        <th scope="row"><code>${v.nativeId}</code></th><td class="num"><${Money} value=${v.faceValue} /></td><td class="num"><${Money} value=${v.remaining} /></td>
        <td>${te('voucherStatus', v.status)}</td><td>${date(v.validUntil)}</td>
        ${canReclaim ? html`<td>${v.status === 'AVAILABLE' || v.status === 'NOT_ACTIVATED' ? html`<button type="button" class="danger" data-testid="action-reclaim-voucher" onClick=${() => setReclaiming(v)}>${t('action.reclaimVoucher')}</button>` : null}</td>` : null}
      </tr>`)}</tbody>
    </table></div>` : html`<${Empty} />`}
    ${reclaiming ? html`<${WriteForm} key=${reclaiming.id} name="reclaim-voucher" kind="reclaimVoucher" target=${c.id}
        title=${t('action.reclaimVoucherOf', { id: reclaiming.nativeId })} mutation=${WRITES.reclaimVoucher} field="reclaimVoucher"
        fields=${[]} submitLabel=${t('action.reclaimVoucher')} onSettled=${onSettled} build=${() => ({ voucherId: reclaiming.id })} />` : null}
  <//>`
}

function Notes({ c }) {
  const list = nodes(c.notes)
  return html`<${Section} title=${t('customer.notes', { n: c.notes?.totalCount ?? 0 })} id="customer-notes">
    ${c.notes == null ? html`<p class="muted">${t('customer.unsupported')}</p>` : list.length ? html`<ul class="events">${list.map((n) => html`<li class="event">
      <div class="event-head"><strong>${n.contactName || n.creator || '—'}</strong><time class="muted small">${dateTime(n.createdAt)}</time></div>
      <div>${n.content}</div></li>`)}</ul>` : html`<${Empty} />`}
  <//>`
}

function CreditHistory({ c }) {
  const list = nodes(c.creditHistory)
  return html`<${Section} title=${t('customer.creditHistory')} id="customer-credit-history">
    ${list.length ? html`<ul class="events">${list.map((r) => html`<li class="event">
      <div class="event-head"><strong>${r.description || r.kind}</strong><time class="muted small">${dateTime(r.occurredAt)}</time></div>
      <div class="small">${r.before ?? '—'} → ${r.after ?? '—'} ${r.amount ? html`· <${Money} value=${r.amount} />` : null} ${r.operator ? html`· ${r.operator}` : null}</div></li>`)}</ul>` : html`<${Empty} />`}
  <//>`
}
