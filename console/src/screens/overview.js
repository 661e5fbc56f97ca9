// Overview across both clouds: this month and last, the trend, top products and customers, program standing
// (rebate tier; tier-2s against the 800,000 line), pending operations and recent events. Each part is its own
// request, so the fast ones show while the consumption (a year of reads per account) comes in.
import { useEffect } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { dateTime, money, month } from '../lib/format.js'
import { href } from '../lib/router.js'
import { TrendChart } from '../lib/charts.js'
import { isOpen, useActions } from '../lib/actions.js'
import { Outcome } from '../lib/outcome.js'
import { useEvents } from '../lib/events.js'
import { EventItem } from './notifications.js'
import { Badge, Empty, Errors, Loading, Money, Provider, Section, nodes, useQuery } from '../lib/ui.js'

const M = '{ amount currency }'
const CONSUMPTION = `query OverviewConsumption($from: String, $to: String) {
  consumption(from: $from, to: $to) {
    totals { amount ${M} source }
    trend { period amount ${M} source }
    byProduct(first: 5) { productCode productName amount ${M} source }
    topCustomers(first: 5) { nativeId amount ${M} source partner { name provider } customer { id name provider } }
    monthOverMonth { month previousMonth current { amount ${M} source } previous { amount ${M} source }
      change { difference ${M} percent source } }
    partners { id name }
  }
}`
const PROGRAM = `query OverviewProgram {
  partners { nodes { id name provider role program {
    role fiscalYear { start end through } performance ${M} sources incentiveEligible
    rebate { tier rate nextRate nextThreshold ${M} toGo ${M} }
    upgrade { line ${M} reached toGo ${M} }
  } } }
}`
const TIER2 = `query OverviewTier2 {
  resellers(first: 5, filter: { provider: "huaweicloud" }) { totalCount nodes { id name partner { name }
    performance { performance ${M} upgrade { line ${M} reached toGo ${M} } } } }
}`
// The writes still pending now (the audit trail keeps a PENDING entry per attempt, settled or not).
const PENDING = `query OverviewPending {
  pendingOperations(first: 10) { totalCount nodes { operationId operation principal partnerAccount startedAt } }
}`

export function Overview({ viewer }) {
  const to = month(0)
  const from = month(11)
  const partnerWide = viewer.role !== 'SALES'
  return html`<div class="screen">
    <div class="screen-head"><h1>${t('nav.overview')}</h1><span class="muted">${t('overview.range', { from, to })}</span></div>
    <${ConsumptionPart} from=${from} to=${to} />
    <div class="grid">
      ${partnerWide ? html`<${ProgramPart} />` : null}
      ${partnerWide ? html`<${Tier2Part} />` : null}
      <${PendingPart} viewer=${viewer} />
      <${RecentEvents} />
    </div>
  </div>`
}

function ConsumptionPart({ from, to }) {
  const query = useQuery(CONSUMPTION, { from, to }, `${from}|${to}`)
  const c = query.data?.consumption
  return html`<div data-testid="overview-consumption">
    <${Errors} errors=${query.errors} error=${query.error} />
    ${query.loading && !c ? html`<${Loading} label=${t('overview.loadingConsumption')} />` : null}
    ${c
      ? html`<div class="stats">
            ${c.monthOverMonth.current.map((fig) => {
              const previous = c.monthOverMonth.previous.find((p) => p.source === fig.source && p.amount.currency === fig.amount.currency)
              const change = c.monthOverMonth.change.find((p) => p.source === fig.source && p.difference.currency === fig.amount.currency)
              const up = change && !String(change.difference.amount).startsWith('-')
              return html`<div class="stat" data-testid="stat-month" data-source=${fig.source}>
                <div class="label">${t('overview.thisMonth', { month: c.monthOverMonth.month })} · ${te('source', fig.source)}</div>
                <div class="value"><${Money} value=${fig.amount} /></div>
                <div class="sub muted">${t('overview.lastMonth', { month: c.monthOverMonth.previousMonth })}: ${money(previous?.amount)}</div>
                ${change ? html`<div class="sub">${up ? '▲' : '▼'} ${money(change.difference)}${change.percent != null ? ` (${change.percent} %)` : ''}
                  <span class="sr-only">${up ? t('overview.up') : t('overview.down')}</span></div>` : null}
              </div>`
            })}
            ${c.totals.map((fig) => html`<div class="stat"><div class="label">${t('overview.total')} ${from} – ${to} · ${te('source', fig.source)}</div><div class="value"><${Money} value=${fig.amount} /></div></div>`)}
          </div>
          <p class="small muted">${t('overview.sources')}</p>
          <${Section} title=${t('overview.trend')} id="overview-trend">
            <${TrendChart} points=${c.trend} label=${t('overview.trend')} testid="overview-trend-chart" />
          <//>
          <div class="grid">
            <${Section} title=${t('overview.topProducts')} id="overview-products">
              ${c.byProduct.length ? html`<ol class="ranked">${c.byProduct.map((p) => html`<li><span>${p.productName} <span class="muted small">${te('source', p.source)}</span></span> <${Money} value=${p.amount} /></li>`)}</ol>` : html`<${Empty} />`}
            <//>
            <${Section} title=${t('overview.topCustomers')} id="overview-customers">
              ${c.topCustomers.length ? html`<ol class="ranked">${c.topCustomers.map((x) => html`<li>
                <span>${x.customer ? html`<a href=${href('customers', x.customer.id)}>${x.customer.name}</a>` : x.nativeId} <${Provider} provider=${x.partner.provider} /></span>
                <${Money} value=${x.amount} /></li>`)}</ol>` : html`<${Empty} />`}
            <//>
          </div>`
      : null}
  </div>`
}

function Progress({ value, of, label }) {
  const ratio = Math.max(0, Math.min(1, Number(value) / Number(of || 1)))
  const percent = Math.floor(ratio * 100)
  return html`<div role="progressbar" aria-label=${label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent} aria-valuetext=${`${percent} %`} class="progress"><span style=${{ width: `${percent}%` }}></span></div>`
}

function ProgramPart() {
  const query = useQuery(PROGRAM, {}, 'program')
  const partners = nodes(query.data?.partners)
  return html`<${Section} title=${t('overview.program')} id="overview-program">
    <${Errors} errors=${query.errors} error=${query.error} />
    ${query.loading ? html`<${Loading} />` : null}
    ${partners.map((p) => {
      const s = p.program
      if (!s) return null
      return html`<div class="standing" data-testid="program-standing" data-provider=${p.provider}>
        <h3>${p.name} <span class="muted small">(${p.role})</span></h3>
        <p>${t('overview.performance', { start: s.fiscalYear.start, through: s.fiscalYear.through })}: <strong><${Money} value=${s.performance} /></strong>
          <span class="muted small"> · ${s.sources.map((x) => te('source', x)).join(', ')}</span></p>
        ${s.rebate
          ? html`<p>${s.rebate.tier ? t('overview.tier', { tier: s.rebate.tier, rate: s.rebate.rate }) : t('overview.belowTiers')}</p>
              ${s.rebate.nextThreshold
                ? html`<${Progress} value=${s.performance.amount} of=${s.rebate.nextThreshold.amount} label=${t('overview.toNextTier')} />
                    <p class="small">${t('overview.nextTier', { rate: s.rebate.nextRate, toGo: money(s.rebate.toGo), at: money(s.rebate.nextThreshold) })}</p>`
                : html`<p class="small">${t('overview.topTier')}</p>`}`
          : null}
        ${s.upgrade
          ? html`<${Progress} value=${s.performance.amount} of=${s.upgrade.line.amount} label=${t('overview.toLine', { line: money(s.upgrade.line) })} />
              <p class="small">${s.upgrade.reached
                ? html`<${Badge} tone="good">${t('overview.lineReached', { line: money(s.upgrade.line) })}<//>`
                : t('overview.lineToGo', { line: money(s.upgrade.line), toGo: money(s.upgrade.toGo) })}</p>`
          : null}
        <p class="small">${s.incentiveEligible ? html`<${Badge} tone="good">${t('overview.incentives')}<//>` : html`<${Badge} tone="warn">${t('overview.noIncentives')}<//>`}</p>
      </div>`
    })}
  <//>`
}

function Tier2Part() {
  const query = useQuery(TIER2, {}, 'tier2')
  const resellers = nodes(query.data?.resellers).filter((r) => r.performance?.upgrade)
  return html`<${Section} title=${t('overview.tier2Line')} id="overview-tier2">
    <${Errors} errors=${query.errors} error=${query.error} />
    ${query.loading ? html`<${Loading} />` : null}
    ${!query.loading && !resellers.length ? html`<${Empty}>${t('overview.noTier2')}<//>` : null}
    <ul class="plain">
      ${resellers.map((r) => {
        const u = r.performance.upgrade
        return html`<li data-testid="tier2-standing">
          <div class="row"><strong>${r.name}</strong> <${Money} value=${r.performance.performance} /> / <${Money} value=${u.line} />
            ${u.reached ? html`<${Badge} tone="good">${t('overview.reached')}<//>` : html`<span class="small muted">${t('overview.toGo', { toGo: money(u.toGo) })}</span>`}</div>
          <${Progress} value=${r.performance.performance.amount} of=${u.line.amount} label=${t('overview.toLine', { line: money(u.line) })} />
        </li>`
      })}
    </ul>
  <//>`
}

function PendingPart({ viewer }) {
  const mine = useActions((a) => isOpen(a))
  const audit = viewer.role === 'ADMIN'
  const query = useQuery(PENDING, {}, 'pending', { skip: !audit })
  const pending = query.data?.pendingOperations
  const records = nodes(pending)
  // An operation settled (operation.settled, live): ask again, so it leaves the list.
  const events = useEvents()
  const settled = events.items.filter((e) => e.type === 'operation.settled').length
  useEffect(() => {
    if (audit && settled) query.reload()
  }, [settled])
  return html`<${Section} title=${t('overview.pending')} id="overview-pending">
    <p class="small muted">${t('overview.pendingIntro')}</p>
    ${mine.length ? html`<h3>${t('overview.pendingMine')}</h3>${mine.map((a) => html`<div key=${a.id}><strong>${a.label}</strong> ${a.target ? html`<a class="small" href=${href('customers', a.target)}>${t('overview.open')}</a>` : null}<${Outcome} action=${a} /></div>`)}` : null}
    ${audit
      ? html`<h3>${t('overview.pendingAll')}</h3>
          <${Errors} errors=${query.errors} error=${query.error} />
          ${records.length
            ? html`<ul class="plain" data-testid="pending-operations" data-total=${pending.totalCount}>${records.map(
                (r) => html`<li data-testid="pending-operation" data-operation-id=${r.operationId} key=${r.operationId}>
                  <${Badge} tone="wait">${t('outcome.pending')}<//> <code>${r.operation}</code> · ${r.principal} · ${r.partnerAccount} · <span
                    class="muted small">${t('overview.sentAt', { at: dateTime(r.startedAt) })}</span></li>`,
              )}</ul>
              ${pending.totalCount > records.length ? html`<p class="small muted">${t('overview.morePending', { n: pending.totalCount - records.length })}</p>` : null}`
            : query.loading ? html`<${Loading} />` : html`<${Empty}>${t('overview.noPending')}<//>`}`
      : mine.length ? null : html`<${Empty}>${t('overview.noPending')}<//>`}
  <//>`
}

function RecentEvents() {
  const events = useEvents()
  return html`<${Section} title=${t('overview.recentEvents')} id="overview-events" actions=${html`<a href=${href('notifications')}>${t('overview.allEvents')}</a>`}>
    ${events.items.length ? html`<ol class="events">${events.items.slice(0, 5).map((e) => html`<${EventItem} event=${e} key=${e.id} testid="recent-event" />`)}</ol>` : html`<${Empty}>${t('notifications.none')}<//>`}
  <//>`
}

