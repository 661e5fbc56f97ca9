// How a write came out, said honestly: settled, pending (the reply was lost or the upstream has not shown it
// yet: nothing is guessed) or failed; with the idempotency key, and "check again" that re-asks with it.
import { html } from './html.js'
import { t } from './i18n.js'
import { attempt, isOpen } from './actions.js'

const ICONS = { settled: '✓', pending: '◔', failed: '✕' }

export function Outcome({ action, onSettled }) {
  if (!action) return null
  if (action.state === 'new') return html`<p class="loading" role="status" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${t('outcome.sending')}</p>`
  const { state, outcome = {} } = action
  const again = async () => {
    const next = await attempt(action)
    if (next.state === 'settled') onSettled?.(next)
  }
  return html`<div class="outcome" data-state=${state} data-testid="outcome" data-kind=${action.kind}>
    <p data-testid="outcome-status" data-state=${state} role="status" aria-live="polite">
      <strong><span aria-hidden="true">${ICONS[state]} </span>${t(`outcome.${state}`)} (${state.toUpperCase()})</strong>
    </p>
    ${state === 'settled' ? html`<p class="small">
          ${outcome.operation?.reconciled ? t('outcome.reconciled') : outcome.operation?.replayed ? t('outcome.replayed') : t('outcome.applied')}
          ${outcome.operation?.operationId ? html` <span class="muted">${t('outcome.operation')} <code>${outcome.operation.operationId}</code></span>` : null}
        </p>` : null}
    ${state === 'pending' ? html`<p class="small">${outcome.unknown ? t('outcome.noReply') : t('outcome.pendingDetail')}</p>` : null}
    ${state === 'failed' ? html`<p class="small">${outcome.retryable ? t('outcome.retryable') : t('outcome.refused')}</p>` : null}
    ${outcome.message && state !== 'settled' ? html`<p class="small">${outcome.message} ${outcome.code ? html`<code>${outcome.code}</code>` : null} ${outcome.reason ? html`<code>${outcome.reason}</code>` : null}</p>` : null}
    <p class="key">${t('outcome.key')} <code data-testid="idempotency-key">${action.key}</code> · ${t('outcome.attempts', { n: action.attempts })}</p>
    ${isOpen(action)
      ? html`<button type="button" data-testid="check-again" disabled=${action.sending} onClick=${again}>
          <span aria-hidden="true">↻ </span>${state === 'pending' ? t('outcome.checkAgain') : t('outcome.retrySameKey')}
        </button>`
      : null}
    ${action.sending ? html`<span class="loading small" role="status" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${t('outcome.sending')}</span>` : null}
  </div>`
}
