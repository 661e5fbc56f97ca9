// Deal registrations as a board of the six stages: file one, record the cloud BD's approval and the customer's
// confirmation (Aliyun), move a project one stage on, close it as lost. Changes send the version read; a stale
// one is a conflict, and the board reloads.
import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { gql } from '../lib/graphql.js'
import { RESULT, WriteForm } from '../lib/writeform.js'
import { Badge, Errors, Field, Loading, nodes, useQuery } from '../lib/ui.js'

const STAGES = ['POTENTIAL_OPPORTUNITY', 'CONFIRMED_OPPORTUNITY', 'SOLUTION_COMMUNICATION', 'BUSINESS_NEGOTIATION', 'SIGNED', 'REVENUE_RECOGNIZED']
const PROJECT = 'id number name customerName stage status winRate approval customerConfirmed opportunityId owner version updatedAt partner { provider name }'
const PROJECTS = `query Projects($filter: ProjectFilterInput) { projects(first: 100, filter: $filter) { totalCount nodes { ${PROJECT} } } }`
const PROJECT_RESULT = `__typename
  ... on ProjectPayload { project { ${PROJECT} } }
  ... on MutationError { message code }
  ... on ProjectRuleViolationError { rule }
  ... on RuleViolationError { reason }`
const CHANGES = {
  approve: `mutation Approve($id: ID!, $version: Int!, $approved: Boolean!, $note: String!) {
    recordProjectApproval(projectId: $id, version: $version, approved: $approved, note: $note) { ${PROJECT_RESULT} } }`,
  confirm: `mutation Confirm($id: ID!, $version: Int!) { confirmProject(projectId: $id, version: $version) { ${PROJECT_RESULT} } }`,
  advance: `mutation Advance($id: ID!, $version: Int!, $to: ProjectStage!) {
    advanceProject(projectId: $id, version: $version, to: $to) { ${PROJECT_RESULT} } }`,
  lost: `mutation Lost($id: ID!, $version: Int!, $reason: String!) {
    closeProjectLost(projectId: $id, version: $version, reason: $reason) { ${PROJECT_RESULT} } }`,
}
const FILE = `mutation FileProject($input: FileProjectInput!, $idempotencyKey: String!) {
  fileProject(input: $input, idempotencyKey: $idempotencyKey) { __typename
    ... on ProjectPayload { replayed project { id number name } }
    ... on MutationError { message code }
    ... on ProjectRuleViolationError { rule }
    ... on RuleViolationError { reason } } }`
const FIND_CUSTOMERS = `query FindCustomers($search: String!) { customers(first: 10, filter: { search: $search, status: ASSOCIATED }) { nodes { id name provider nativeId } } }`

export function Projects({ viewer }) {
  const [showClosed, setShowClosed] = useState(false)
  const [filing, setFiling] = useState(false)
  const [message, setMessage] = useState(null)
  const query = useQuery(PROJECTS, { filter: showClosed ? null : { status: 'IN_PROGRESS' } }, String(showClosed))
  const projects = nodes(query.data?.projects)
  const change = async (kind, project, variables, label) => {
    setMessage(null)
    try {
      const body = await gql(CHANGES[kind], { id: project.id, version: project.version, ...variables })
      const result = Object.values(body.data ?? {})[0]
      if (result?.__typename === 'ProjectPayload') {
        setMessage({ tone: 'good', text: t('project.done', { what: label, name: project.name }) })
      } else {
        const why = result ? `${result.message} (${result.rule || result.reason || result.code})` : body.errors?.[0]?.message
        setMessage({ tone: 'bad', text: t('project.refused', { what: label, why }) })
      }
    } catch (error) {
      setMessage({ tone: 'bad', text: error.message })
    }
    query.reload()
  }
  return html`<div class="screen">
    <div class="screen-head">
      <h1>${t('nav.projects')}</h1>
      <div class="row">
        <label class="inline"><input type="checkbox" data-testid="projects-show-closed" checked=${showClosed} onChange=${(e) => setShowClosed(e.currentTarget.checked)} /> ${t('project.showClosed')}</label>
        <button type="button" class="primary" data-testid="action-file-project" aria-expanded=${filing ? 'true' : 'false'} onClick=${() => setFiling(!filing)}>${t('project.file')}</button>
      </div>
    </div>
    ${filing ? html`<div class="card narrow"><${FileProject} onSettled=${() => query.reload()} /></div>` : null}
    ${message ? html`<p class=${`alert alert-${message.tone === 'good' ? 'good' : 'error'}`} role="status" data-testid="project-message">
      <span aria-hidden="true">${message.tone === 'good' ? '✓ ' : '✕ '}</span>${message.text}</p>` : null}
    <${Errors} errors=${query.errors} error=${query.error} />
    ${query.loading && !projects.length ? html`<${Loading} />` : null}
    <div class="board" data-testid="projects-board">
      ${STAGES.map((stage, index) => {
        const here = projects.filter((p) => p.stage === stage)
        return html`<section class="column" aria-labelledby=${`stage-${stage}`} data-testid="project-column" data-stage=${stage}>
          <h2 id=${`stage-${stage}`}><span>${index + 1}. ${te('stage', stage)}</span><span class="muted" aria-label=${t('project.count', { n: here.length })}>${here.length}</span></h2>
          <ol>${here.map((p) => html`<${Card} key=${p.id} project=${p} next=${STAGES[index + 1]} change=${change} viewer=${viewer} />`)}</ol>
        </section>`
      })}
    </div>
  </div>`
}

function Card({ project: p, next, change }) {
  const [losing, setLosing] = useState(false)
  const [reason, setReason] = useState('')
  const open = p.status === 'IN_PROGRESS'
  return html`<li class="project" data-testid="project-card" data-project-id=${p.id} data-stage=${p.stage} data-status=${p.status}>
    <h3>${p.name}</h3>
    <div class="small">${p.customerName} · <span class="muted">#${p.number} · ${te('provider', p.partner.provider)}</span></div>
    <div class="small">${t('project.winRate', { rate: p.winRate })}${p.owner ? ` · ${p.owner}` : ''}</div>
    <div class="row small">
      ${p.status !== 'IN_PROGRESS' ? html`<${Badge} tone=${p.status === 'WON' ? 'good' : 'bad'}>${te('projectStatus', p.status)}<//>` : null}
      ${p.approval !== 'NOT_REQUIRED' ? html`<${Badge} tone=${p.approval === 'APPROVED' ? 'good' : p.approval === 'REJECTED' ? 'bad' : 'wait'} data-testid="project-approval" data-approval=${p.approval}>${te('approval', p.approval)}<//>` : null}
      ${p.approval !== 'NOT_REQUIRED' ? html`<${Badge} tone=${p.customerConfirmed ? 'good' : 'wait'} data-testid="project-confirmation" data-confirmed=${String(p.customerConfirmed)}>${p.customerConfirmed ? t('project.confirmed') : t('project.unconfirmed')}<//>` : null}
    </div>
    ${open ? html`<div class="actions">
      ${p.approval === 'PENDING' ? html`
        <button type="button" data-testid="project-approve" onClick=${() => change('approve', p, { approved: true, note: '' }, t('project.approve'))}>${t('project.approve')}</button>
        <button type="button" class="danger" data-testid="project-reject" onClick=${() => change('approve', p, { approved: false, note: '' }, t('project.reject'))}>${t('project.reject')}</button>` : null}
      ${p.approval === 'APPROVED' && !p.customerConfirmed ? html`<button type="button" data-testid="project-confirm" onClick=${() => change('confirm', p, {}, t('project.confirm'))}>${t('project.confirm')}</button>` : null}
      ${next ? html`<button type="button" data-testid="project-advance" aria-label=${t('project.advanceTo', { stage: te('stage', next) })} onClick=${() => change('advance', p, { to: next }, t('project.advanceTo', { stage: te('stage', next) }))}>${t('project.advance')} <span aria-hidden="true">→</span></button>` : null}
      <button type="button" class="link" data-testid="project-lost" aria-expanded=${losing ? 'true' : 'false'} onClick=${() => setLosing(!losing)}>${t('project.lost')}</button>
    </div>` : null}
    ${losing ? html`<form class="stack" onSubmit=${(e) => (e.preventDefault(), reason.trim() && change('lost', p, { reason: reason.trim() }, t('project.lost')))}>
      <${Field} label=${t('project.lostReason')} id=${`lost-${p.id}`}><input id=${`lost-${p.id}`} value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /><//>
      <button type="submit" class="danger">${t('project.lost')}</button>
    </form>` : null}
  </li>`
}

function FileProject({ onSettled }) {
  const [search, setSearch] = useState('')
  const [found, setFound] = useState(null)
  const find = async (e) => {
    e.preventDefault()
    if (!search.trim()) return
    const body = await gql(FIND_CUSTOMERS, { search: search.trim() }).catch(() => null)
    setFound(nodes(body?.data?.customers))
  }
  return html`<div class="stack">
    <form class="row" onSubmit=${find} role="search">
      <${Field} label=${t('project.findCustomer')} id="project-customer-search">
        <input id="project-customer-search" data-testid="project-customer-search" type="search" value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} />
      <//>
      <button type="submit">${t('customers.search')}</button>
    </form>
    ${found && !found.length ? html`<p class="muted">${t('customers.noneFound')}</p>` : null}
    ${found?.length ? html`<${WriteForm} name="file-project" kind="fileProject" target="projects" title=${t('project.file')} mutation=${FILE}
        field="fileProject" onSettled=${onSettled}
        fields=${[
          { id: 'customer', label: t('customers.name'), type: 'select', placeholder: t('form.choose'),
            options: found.map((c) => ({ value: c.id, label: `${c.name} (${te('provider', c.provider)} ${c.nativeId})` })) },
          { id: 'name', label: t('project.name'), type: 'text' },
          { id: 'winRate', label: t('project.winRateLabel'), type: 'number', initial: '10' },
        ]}
        build=${(v) => ({ input: { customerId: v.customer, name: v.name.trim(), winRate: String(v.winRate) } })} />` : null}
  </div>`
}
