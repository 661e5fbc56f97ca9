// Shared pieces: a query hook, error lists, status badges (text and icon, never colour alone), money, fields.
// Test hooks: every spinner is `data-testid="loading"`, every alert a screen raises `data-testid="error"`.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { html } from './html.js'
import { gql } from './graphql.js'
import { t, te } from './i18n.js'
import { money } from './format.js'

/** Runs `query` when `key` (a string of what it depends on) changes; `reload()` runs it again. */
export function useQuery(query, variables, key, { skip = false } = {}) {
  const [state, setState] = useState({ loading: !skip, data: null, errors: null, error: null })
  const seq = useRef(0)
  const run = useCallback(async () => {
    const mine = ++seq.current
    setState((s) => ({ ...s, loading: true, error: null }))
    try {
      const body = await gql(query, variables)
      if (mine === seq.current) setState({ loading: false, data: body.data, errors: body.errors || null, error: null })
    } catch (error) {
      if (mine === seq.current) setState({ loading: false, data: null, errors: null, error })
    }
  }, [key])
  useEffect(() => {
    if (!skip) run()
  }, [run, skip])
  return { ...state, reload: run }
}

/** A query's errors; a cloud without an API for a field is said where the field is, not here. */
export function Errors({ errors, error }) {
  const listed = errors?.filter((e) => e.extensions?.code !== 'UNSUPPORTED_BY_PROVIDER')
  if (!listed?.length && !error) return null
  const items = error ? [{ message: error.message, extensions: { code: error.code } }] : listed
  return html`<div class="alert alert-error" role="alert" data-testid="error">
    <strong><span aria-hidden="true">⚠ </span>${t('errors.title')}</strong>
    <ul>
      ${items.map(
        (e) => html`<li>
          ${e.message}
          ${e.extensions?.code ? html` <code>${e.extensions.code}</code>` : null}
          ${e.extensions?.partnerId ? html` <span class="muted">(${e.extensions.partnerId})</span>` : null}
        </li>`,
      )}
    </ul>
  </div>`
}

export function Loading({ label }) {
  return html`<p class="loading" role="status" aria-live="polite" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${label || t('common.loading')}</p>`
}

/** One alert in words and an icon (never colour alone): an error by default, or a warning (tone="warn"). */
export function Alert({ tone = 'error', children }) {
  return html`<p class=${`alert alert-${tone}`} role="alert" data-testid="error"><span aria-hidden="true">${tone === 'error' ? '⚠' : '!'} </span>${children}</p>`
}

const STATUS_ICONS = {
  ASSOCIATED: '✓',
  INVITED: '✉',
  INVITATION_EXPIRED: '⊘',
  FROZEN: '❄',
  UNKNOWN: '?',
}

export function CustomerStatus({ status }) {
  return html`<span class=${`badge badge-${(status || 'UNKNOWN').toLowerCase()}`} data-status=${status}>
    <span aria-hidden="true">${STATUS_ICONS[status] || '•'} </span>${te('status', status)}
  </span>`
}

const TONE_ICONS = { good: '✓', bad: '✕', warn: '!', info: 'i', wait: '◔' }
export function Badge({ tone = 'info', children, ...rest }) {
  return html`<span class=${`badge badge-${tone}`} ...${rest}><span aria-hidden="true">${TONE_ICONS[tone]} </span>${children}</span>`
}

export function Provider({ provider }) {
  return html`<span class=${`provider provider-${provider}`}>${te('provider', provider)}</span>`
}

export function Money({ value }) {
  return html`<span class="money">${money(value)}</span>`
}

export function Field({ label, id, hint, children }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children}
    ${hint ? html`<small id=${`${id}-hint`} class="hint">${hint}</small>` : null}
  </div>`
}

export function Section({ title, children, actions, id }) {
  return html`<section class="card" aria-labelledby=${id}>
    <header class="card-head"><h2 id=${id}>${title}</h2>${actions ? html`<div class="card-actions">${actions}</div>` : null}</header>
    ${children}
  </section>`
}

export function Empty({ children }) {
  return html`<p class="empty">${children || t('common.none')}</p>`
}

/** Nodes of a connection, or []. */
export function nodes(connection) {
  return connection?.edges?.map((e) => e.node) ?? connection?.nodes ?? []
}
