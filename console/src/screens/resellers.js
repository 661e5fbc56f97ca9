// Tier-2 resellers: their funds and voucher quotas, allocation and reclaim of both (Huawei tier-1), an invitation
// (Aliyun), and each one's standing this fiscal year (asked on demand: a year of reads per reseller).
import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { date, dateTime, money } from '../lib/format.js'
import { RECEIPT, RESULT, WriteForm } from '../lib/writeform.js'
import { Badge, Empty, Errors, Field, Loading, Money, Provider, Section, nodes, useQuery } from '../lib/ui.js'

const M = '{ amount currency }'
const RESELLERS = `query Resellers($first: Int, $after: String, $filter: ResellerFilterInput) {
  resellers(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id provider nativeId name accountName owner associatedAt
      partner { id name provider role capabilities }
      funds { available ${M} debt ${M} creditLine ${M} }
      voucherQuotas(first: 5) { nodes { id nativeId total ${M} remaining ${M} status validUntil } }
    } }
  }
  partners { nodes { id name provider capabilities } }
}`
const DETAIL = `query Reseller($id: ID!) { node(id: $id) { ... on Reseller { id
  fundMovements(first: 5) { nodes { nativeId kind amount ${M} occurredAt balanceAfter ${M} } }
  quotaMovements(first: 5) { nodes { nativeId kind amount ${M} succeeded occurredAt quotaId } }
  partner { id voucherQuotas(first: 20) { nodes { nativeId total ${M} remaining ${M} status } } }
} } }`
const STANDING = `query ResellerStanding($id: ID!) { node(id: $id) { ... on Reseller { id performance {
  role performance ${M} sources incentiveEligible
  rebate { tier rate nextRate toGo ${M} } upgrade { line ${M} reached toGo ${M} } } } } }`

const resellerWrite = (name, args, params) => `mutation ${name[0].toUpperCase()}${name.slice(1)}(${params}, $idempotencyKey: String!) {
  ${name}(${args}, idempotencyKey: $idempotencyKey) { ${RESULT}
    ... on ResellerPayload { ${RECEIPT} reseller { id funds { available ${M} } } } } }`
const MONEY_ARGS = ['resellerId: $resellerId, amount: $amount', '$resellerId: ID!, $amount: MoneyInput!']
const WRITES = {
  allocate: resellerWrite('allocateResellerFunds', ...MONEY_ARGS),
  reclaim: resellerWrite('reclaimResellerFunds', ...MONEY_ARGS),
  grant: resellerWrite('grantVoucherQuota', 'resellerId: $resellerId, parentQuotaId: $parentQuotaId, amount: $amount',
    '$resellerId: ID!, $parentQuotaId: String!, $amount: MoneyInput!'),
  reclaimQuota: resellerWrite('reclaimVoucherQuota', 'partnerId: $partnerId, quotaId: $quotaId', '$partnerId: ID!, $quotaId: String!'),
  invite: resellerWrite('inviteReseller', 'input: $input', '$input: InviteResellerInput!'),
}

export function Resellers({ viewer }) {
  const [search, setSearch] = useState('')
  const [applied, setApplied] = useState('')
  const [pages, setPages] = useState([null])
  const [open, setOpen] = useState(null)
  const [inviting, setInviting] = useState(false)
  const variables = { first: 20, after: pages[pages.length - 1], filter: applied ? { search: applied } : null }
  const query = useQuery(RESELLERS, variables, JSON.stringify(variables))
  const connection = query.data?.resellers
  const inviters = nodes(query.data?.partners).filter((p) => p.capabilities.includes('INVITE_RESELLER'))
  return html`<div class="screen">
    <div class="screen-head">
      <h1>${t('nav.resellers')}</h1>
      ${viewer.movesMoney && inviters.length
        ? html`<button type="button" class="primary" data-testid="action-invite-reseller" aria-expanded=${inviting ? 'true' : 'false'} onClick=${() => setInviting(!inviting)}>${t('reseller.invite')}</button>`
        : null}
    </div>
    ${inviting ? html`<div class="card narrow"><${InviteReseller} partners=${inviters} onSettled=${query.reload} /></div>` : null}
    <form class="filters" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search.trim()), setPages([null]))}>
      <${Field} label=${t('customers.search')} id="reseller-search">
        <input id="reseller-search" data-testid="reseller-search" type="search" value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} />
      <//>
      <button type="submit">${t('customers.search')}</button>
    </form>
    <${Errors} errors=${query.errors} error=${query.error} />
    <div class="table-wrap" aria-busy=${query.loading ? 'true' : 'false'}>
      <table class="table" data-testid="resellers-table">
        <thead><tr>
          <th scope="col">${t('reseller.name')}</th><th scope="col">${t('customers.provider')}</th><th scope="col">${t('customers.owner')}</th>
          <th scope="col" class="num">${t('reseller.funds')}</th><th scope="col">${t('reseller.quotas')}</th><th scope="col"><span class="sr-only">${t('reseller.manage')}</span></th>
        </tr></thead>
        <tbody>
          ${(connection?.edges ?? []).map(({ node: r }) => html`<tr data-testid="reseller-row" data-provider=${r.provider} data-reseller-id=${r.id} key=${r.id}>
              <th scope="row">${r.name}<div class="small muted">${r.partner.name} · ${r.accountName || r.nativeId}</div></th>
              <td><${Provider} provider=${r.provider} /></td>
              <td>${r.owner || '—'}</td>
              <td class="num">${r.funds ? html`<${Money} value=${r.funds.available} />${r.funds.creditLine ? html`<div class="small muted">${t('customer.creditLine')} <${Money} value=${r.funds.creditLine} /></div>` : null}${r.funds.debt && Number(r.funds.debt.amount) ? html`<div class="small muted">${t('customer.debt')} <${Money} value=${r.funds.debt} /></div>` : null}` : '—'}</td>
              <td>${r.voucherQuotas == null ? html`<span class="muted small">${t('customer.unsupported')}</span>` : nodes(r.voucherQuotas).length
                ? html`<ul class="plain small">${nodes(r.voucherQuotas).map((q) => html`<li>${money(q.remaining)} / ${money(q.total)} · ${te('quotaStatus', q.status)}</li>`)}</ul>`
                : html`<span class="muted small">${t('common.none')}</span>`}</td>
              <td><button type="button" data-testid="reseller-manage" aria-expanded=${open === r.id ? 'true' : 'false'} onClick=${() => setOpen(open === r.id ? null : r.id)}>${t('reseller.manage')}</button></td>
            </tr>
            ${open === r.id ? html`<tr><td colspan="6"><${ResellerPanel} reseller=${r} viewer=${viewer} onSettled=${query.reload} /></td></tr>` : null}`)}
        </tbody>
      </table>
      ${query.loading ? html`<${Loading} />` : null}
      ${!query.loading && connection && !connection.edges.length ? html`<${Empty} />` : null}
    </div>
    <div class="pager">
      <span role="status">${connection ? t('reseller.total', { n: connection.totalCount }) : ''}</span>
      <button type="button" disabled=${pages.length < 2} onClick=${() => setPages(pages.slice(0, -1))}>${t('common.prev')}</button>
      <button type="button" disabled=${!connection?.pageInfo.hasNextPage} onClick=${() => setPages([...pages, connection.pageInfo.endCursor])}>${t('common.next')}</button>
    </div>
  </div>`
}

function ResellerPanel({ reseller: r, viewer, onSettled }) {
  const detail = useQuery(DETAIL, { id: r.id }, r.id)
  const [action, setAction] = useState(null)
  const d = detail.data?.node
  const caps = new Set(r.partner.capabilities)
  const buttons = []
  if (viewer.movesMoney && caps.has('ALLOCATE_RESELLER_FUNDS')) buttons.push('allocate', 'reclaim-funds')
  if (viewer.movesMoney && caps.has('GRANT_VOUCHER_QUOTA')) buttons.push('grant-quota')
  const done = () => {
    detail.reload()
    onSettled()
  }
  const amount = [{ id: 'amount', label: t('common.amount'), type: 'money' }]
  const moneyVars = (v) => ({ resellerId: r.id, amount: { amount: v.amount.trim(), currency: 'CNY' } })
  const parents = nodes(d?.partner?.voucherQuotas).filter((q) => q.status === 'ACTIVE')
  const forms = {
    allocate: () => html`<${WriteForm} name="allocate" kind="allocateResellerFunds" target=${r.id} title=${t('reseller.allocate')}
      mutation=${WRITES.allocate} field="allocateResellerFunds" fields=${amount} build=${moneyVars} onSettled=${done} />`,
    'reclaim-funds': () => html`<${WriteForm} name="reclaim-funds" kind="reclaimResellerFunds" target=${r.id} title=${t('reseller.reclaim')}
      mutation=${WRITES.reclaim} field="reclaimResellerFunds" fields=${amount} build=${moneyVars} onSettled=${done} />`,
    'grant-quota': () => html`<${WriteForm} name="grant-quota" kind="grantVoucherQuota" target=${r.id} title=${t('reseller.grant')}
      mutation=${WRITES.grant} field="grantVoucherQuota" onSettled=${done}
      fields=${[
        { id: 'parent', label: t('reseller.parentQuota'), type: 'select', placeholder: t('form.choose'),
          options: parents.map((q) => ({ value: q.nativeId, label: `${q.nativeId} · ${t('voucher.remaining')} ${money(q.remaining)}` })) },
        ...amount,
      ]}
      build=${(v) => ({ resellerId: r.id, parentQuotaId: v.parent, amount: { amount: v.amount.trim(), currency: 'CNY' } })} />`,
  }
  const quotas = nodes(r.voucherQuotas)
  return html`<div class="panel" data-testid="reseller-panel">
    <${Errors} errors=${detail.errors?.filter((e) => e.extensions?.code !== 'UNSUPPORTED_BY_PROVIDER')} error=${detail.error} />
    <div class="grid">
      <div>
        <h3>${t('reseller.fundMovements')}</h3>
        ${detail.loading ? html`<${Loading} />` : d?.fundMovements == null ? html`<p class="muted small">${t('customer.unsupported')}</p>` : nodes(d.fundMovements).length
          ? html`<ul class="plain small">${nodes(d.fundMovements).map((m) => html`<li>${te('ledger', m.kind)} <${Money} value=${m.amount} /> · ${dateTime(m.occurredAt)}</li>`)}</ul>`
          : html`<${Empty} />`}
        <h3>${t('reseller.quotaMovements')}</h3>
        ${detail.loading ? null : d?.quotaMovements == null ? html`<p class="muted small">${t('customer.unsupported')}</p>` : nodes(d.quotaMovements).length
          ? html`<ul class="plain small">${nodes(d.quotaMovements).map((m) => html`<li>${te('quotaMove', m.kind)} <${Money} value=${m.amount} /> ${m.succeeded ? '' : html`<${Badge} tone="bad">${t('reseller.refused')}<//>`} · ${dateTime(m.occurredAt)}</li>`)}</ul>`
          : html`<${Empty} />`}
      </div>
      <div>
        <${Standing} id=${r.id} />
        ${quotas.length && viewer.movesMoney && caps.has('GRANT_VOUCHER_QUOTA') ? html`<h3>${t('reseller.quotas')}</h3>
          <ul class="plain small">${quotas.map((q) => html`<li>${q.nativeId}: ${money(q.remaining)} / ${money(q.total)} · ${te('quotaStatus', q.status)} ${q.validUntil ? `· ${date(q.validUntil)}` : ''}
            ${q.status === 'ACTIVE' ? html` <button type="button" class="danger" data-testid="action-reclaim-quota" onClick=${() => setAction(`quota:${q.nativeId}`)}>${t('reseller.reclaimQuota')}</button>` : null}</li>`)}</ul>` : null}
      </div>
    </div>
    ${buttons.length ? html`<div class="actions" role="group" aria-label=${t('customer.actions')}>
      ${buttons.map((b) => html`<button type="button" data-testid=${`action-${b}`} class=${action === b ? 'primary' : ''} aria-expanded=${action === b ? 'true' : 'false'} onClick=${() => setAction(action === b ? null : b)}>${t(`actionButton.${b}`)}</button>`)}
    </div>` : viewer.movesMoney ? null : html`<p class="small muted"><span aria-hidden="true">⊘ </span>${t('customer.noMoney')}</p>`}
    ${action && forms[action] ? forms[action]() : null}
    ${action?.startsWith('quota:') ? html`<${WriteForm} key=${action} name="reclaim-quota" kind="reclaimVoucherQuota" target=${r.id}
        title=${t('reseller.reclaimQuotaOf', { id: action.slice(6) })} mutation=${WRITES.reclaimQuota} field="reclaimVoucherQuota" fields=${[]}
        submitLabel=${t('reseller.reclaimQuota')} onSettled=${done} build=${() => ({ partnerId: r.partner.id, quotaId: action.slice(6) })} />` : null}
  </div>`
}

function Standing({ id }) {
  const [asked, setAsked] = useState(false)
  const query = useQuery(STANDING, { id }, id, { skip: !asked })
  const s = query.data?.node?.performance
  if (!asked) return html`<button type="button" data-testid="reseller-standing" onClick=${() => setAsked(true)}>${t('reseller.showStanding')}</button>`
  return html`<div>
    <h3>${t('reseller.standing')}</h3>
    <${Errors} errors=${query.errors} error=${query.error} />
    ${query.loading ? html`<${Loading} />` : null}
    ${s ? html`<p>${t('reseller.performance')}: <strong><${Money} value=${s.performance} /></strong></p>
      ${s.upgrade ? html`<p>${s.upgrade.reached ? html`<${Badge} tone="good">${t('overview.lineReached', { line: money(s.upgrade.line) })}<//>` : t('overview.lineToGo', { line: money(s.upgrade.line), toGo: money(s.upgrade.toGo) })}</p>` : null}
      ${s.rebate ? html`<p>${s.rebate.tier ? t('overview.tier', { tier: s.rebate.tier, rate: s.rebate.rate }) : t('overview.belowTiers')}</p>` : null}` : null}
  </div>`
}

function InviteReseller({ partners, onSettled }) {
  const [partnerId, setPartnerId] = useState(partners[0]?.id)
  return html`<div>
    <${Field} label=${t('common.partner')} id="invite-reseller-partner">
      <select id="invite-reseller-partner" value=${partnerId} onChange=${(e) => setPartnerId(e.currentTarget.value)}>
        ${partners.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
      </select>
    <//>
    <${WriteForm} key=${partnerId} name="invite-reseller" kind="inviteReseller" target=${`new-reseller:${partnerId}`} title=${t('reseller.invite')}
      mutation=${WRITES.invite} field="inviteReseller" onSettled=${onSettled}
      fields=${[
        { id: 'name', label: t('reseller.name'), type: 'text' },
        { id: 'email', label: t('customer.email'), type: 'email' },
      ]}
      build=${(v) => ({ input: { partnerId, name: v.name.trim(), email: v.email.trim() } })} />
  </div>`
}
