// Customers: one table over both clouds, with filters, search and cursor paging (Query.customers).
import { useEffect, useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { dateTime } from '../lib/format.js'
import { href } from '../lib/router.js'
import { CustomerStatus, Errors, Field, Loading, Money, Provider, useQuery } from '../lib/ui.js'

const CUSTOMERS = `query Customers($first: Int, $after: String, $filter: CustomerFilterInput) {
  capabilities { provider title }
  customers(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id provider nativeId name accountType kind status invitationExpiresAt realNameVerified owner
      balance { amount currency } creditLine { amount currency }
      partner { id name }
    } }
  }
}`

const STATUSES = ['ASSOCIATED', 'INVITED', 'INVITATION_EXPIRED', 'FROZEN']
const ACCOUNT_TYPES = ['AGENCY', 'CONSIGNMENT', 'ADVISORY', 'RESALE']
const PAGE_SIZES = [20, 50, 100]

export function Customers({ viewer }) {
  const [filter, setFilter] = useState({ provider: '', status: '', accountType: '', owner: '', search: '' })
  const [search, setSearch] = useState('')
  const [pages, setPages] = useState([null]) // the `after` of each page visited; the last is this one
  const [size, setSize] = useState(20)
  const after = pages[pages.length - 1]
  const variables = {
    first: size,
    after,
    filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
  }
  const query = useQuery(CUSTOMERS, variables, JSON.stringify(variables))
  const set = (name) => (event) => {
    setFilter({ ...filter, [name]: event.currentTarget.value })
    setPages([null])
  }
  // Search as one types, after a pause.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (search.trim() !== filter.search) {
        setFilter((f) => ({ ...f, search: search.trim() }))
        setPages([null])
      }
    }, 300)
    return () => clearTimeout(timer)
  }, [search])

  const connection = query.data?.customers
  const providers = query.data?.capabilities ?? []
  return html`<div class="screen">
    <div class="screen-head">
      <h1>${t('nav.customers')}</h1>
      <a class="button primary" href=${href('invite')}><span aria-hidden="true">＋ </span>${t('customers.invite')}</a>
    </div>
    <form class="filters" role="search" aria-label=${t('customers.filters')} onSubmit=${(e) => e.preventDefault()}>
      <${Field} label=${t('customers.search')} id="customer-search">
        <input
          id="customer-search"
          data-testid="customer-search"
          type="search"
          value=${search}
          placeholder=${t('customers.searchHint')}
          onInput=${(e) => setSearch(e.currentTarget.value)}
          onKeyDown=${(e) => {
            if (e.key === 'Enter') {
              setFilter({ ...filter, search: search.trim() })
              setPages([null])
            }
          }}
        />
      <//>
      <${Field} label=${t('customers.provider')} id="filter-provider">
        <select id="filter-provider" data-testid="filter-provider" value=${filter.provider} onChange=${set('provider')}>
          <option value="">${t('common.all')}</option>
          ${providers.map((p) => html`<option value=${p.provider}>${te('provider', p.provider)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('customers.status')} id="filter-status">
        <select id="filter-status" data-testid="filter-status" value=${filter.status} onChange=${set('status')}>
          <option value="">${t('common.all')}</option>
          ${STATUSES.map((s) => html`<option value=${s}>${te('status', s)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('customers.accountType')} id="filter-type">
        <select id="filter-type" data-testid="filter-account-type" value=${filter.accountType} onChange=${set('accountType')}>
          <option value="">${t('common.all')}</option>
          ${ACCOUNT_TYPES.map((s) => html`<option value=${s}>${te('accountType', s)}</option>`)}
        </select>
      <//>
      ${viewer.role !== 'SALES'
        ? html`<${Field} label=${t('customers.owner')} id="filter-owner">
            <input id="filter-owner" data-testid="filter-owner" value=${filter.owner} onChange=${set('owner')} />
          <//>`
        : null}
    </form>
    <${Errors} errors=${query.errors} error=${query.error} />
    <div class="table-wrap" aria-busy=${query.loading ? 'true' : 'false'}>
      <table data-testid="customers-table" class="table">
        <caption class="sr-only">${t('nav.customers')}</caption>
        <thead>
          <tr>
            <th scope="col">${t('customers.name')}</th>
            <th scope="col">${t('customers.provider')}</th>
            <th scope="col">${t('customers.status')}</th>
            <th scope="col">${t('customers.accountType')}</th>
            <th scope="col">${t('customers.realName')}</th>
            <th scope="col">${t('customers.owner')}</th>
            <th scope="col" class="num">${t('customers.funds')}</th>
          </tr>
        </thead>
        <tbody>
          ${(connection?.edges ?? []).map(({ node: c }) => html`<${Row} customer=${c} key=${c.id} />`)}
        </tbody>
      </table>
      ${query.loading ? html`<${Loading} />` : null}
      ${!query.loading && connection && !connection.edges.length ? html`<p class="empty">${t('customers.noneFound')}</p>` : null}
    </div>
    <div class="pager">
      <span data-testid="customers-total" role="status">${connection ? t('customers.total', { n: connection.totalCount }) : ''}</span>
      <label class="inline">${t('common.pageSize')}
        <select value=${size} onChange=${(e) => (setSize(Number(e.currentTarget.value)), setPages([null]))}>
          ${PAGE_SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </label>
      <button type="button" data-testid="page-prev" disabled=${pages.length < 2 || query.loading} onClick=${() => setPages(pages.slice(0, -1))}>
        <span aria-hidden="true">← </span>${t('common.prev')}
      </button>
      <span>${t('common.page', { n: pages.length })}</span>
      <button
        type="button"
        data-testid="page-next"
        disabled=${!connection?.pageInfo.hasNextPage || query.loading}
        onClick=${() => setPages([...pages, connection.pageInfo.endCursor])}
      >
        ${t('common.next')}<span aria-hidden="true"> →</span>
      </button>
    </div>
  </div>`
}

function Row({ customer: c }) {
  const funds = c.creditLine ? html`<${Money} value=${c.balance} /><br /><small class="muted">${t('customers.creditOf', { line: '' })}<${Money} value=${c.creditLine} /></small>` : html`<${Money} value=${c.balance} />`
  return html`<tr data-testid="customer-row" data-provider=${c.provider} data-customer-id=${c.id} data-status=${c.status}>
    <th scope="row">
      <a href=${href('customers', c.id)}>${c.name}</a>
      <div class="muted small">${c.partner.name} · ${c.nativeId}</div>
    </th>
    <td><${Provider} provider=${c.provider} /></td>
    <td>
      <${CustomerStatus} status=${c.status} />
      ${c.invitationExpiresAt ? html`<div class="small muted">${t('customers.expires', { at: dateTime(c.invitationExpiresAt) })}</div>` : null}
    </td>
    <td>${te('accountType', c.accountType)}</td>
    <td>${c.realNameVerified == null ? '—' : c.realNameVerified ? html`<span><span aria-hidden="true">✓ </span>${t('common.yes')}</span>` : html`<span><span aria-hidden="true">✕ </span>${t('common.no')}</span>`}</td>
    <td>${c.owner || '—'}</td>
    <td class="num">${funds}</td>
  </tr>`
}
