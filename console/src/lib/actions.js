// Writes with an idempotency key made in the browser (crypto.randomUUID) and kept with the action until its
// outcome is known: a retry of the same action (same mutation, same input) reuses the key, so the gateway
// replays or settles the first attempt instead of carrying it out twice. Open actions (pending, or their reply
// lost) are kept in localStorage, so a reload does not lose their key; "check again" re-asks with it.
//
// States, as the graph reports them:
//   settled  the payload came back (operation.replayed / operation.reconciled say how)
//   pending  UpstreamError.pending (OPERATION_PENDING), or no reply at all: the outcome is not known yet
//   failed   refused (RuleViolationError, InvalidInputError, IdempotencyConflictError, UnsupportedError,
//            UpstreamError not pending): nothing was applied; `retryable` says the same key may be sent again
import { useEffect, useState } from 'preact/hooks'
import { gql } from './graphql.js'

const STORAGE_KEY = 'pgw.console.actions'
const listeners = new Set()
let actions = load()

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]')
    // A request still in flight when the page went away: its outcome is unknown until asked again.
    return Array.isArray(saved)
      ? saved.map((a) => (a.state === 'new' || a.sending
          ? { ...a, state: 'pending', sending: false, outcome: { unknown: true, code: 'NO_REPLY' } }
          : a))
      : []
  } catch {
    return []
  }
}

function save() {
  try {
    // Only what is still open needs its key after a reload.
    const kept = actions.filter((a) => isOpen(a) || a.state === 'new' || a.sending).slice(0, 50)
    localStorage.setItem(STORAGE_KEY, JSON.stringify(kept))
  } catch {
    // kept in memory
  }
  for (const listener of listeners) listener([...actions])
}

export function isOpen(action) {
  return action.state === 'pending' || (action.state === 'failed' && action.outcome?.retryable)
}

const PAYLOADS = new Set(['CustomerPayload', 'ResellerPayload', 'VoucherPayload', 'TemplatePayload', 'CreateCustomerPayload', 'ProjectPayload'])
/** Errors (graph-level) that leave a write's outcome unknown: ask again with the same key. */
const UNKNOWN_CODES = new Set(['DEADLINE_EXCEEDED', 'STORE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'OPERATION_PENDING'])

function classify(result, errors) {
  if (result && PAYLOADS.has(result.__typename)) {
    return { state: 'settled', outcome: { typename: result.__typename, operation: result.operation, result } }
  }
  if (result?.__typename === 'UpstreamError') {
    const outcome = { typename: result.__typename, code: result.code, message: result.message, reason: result.reason,
      retryable: result.retryable, pending: result.pending, operationId: result.operationId, requestId: result.requestId }
    return { state: result.pending ? 'pending' : 'failed', outcome }
  }
  if (result?.__typename) {
    return { state: 'failed', outcome: { typename: result.__typename, code: result.code, message: result.message,
      reason: result.reason ?? result.rule, field: result.field, retryable: false } }
  }
  const error = errors?.[0]
  const code = error?.extensions?.code
  if (!error || UNKNOWN_CODES.has(code)) {
    return { state: 'pending', outcome: { unknown: true, code: code || 'NO_REPLY', message: error?.message } }
  }
  // Refused before anything ran (bad input, rate limited, forbidden): nothing applied.
  return { state: 'failed', outcome: { code, message: error.message, retryable: code === 'RATE_LIMITED' } }
}

/**
 * The action for `mutation` (its result at `field`) with `variables`: the open action with the same kind,
 * target and input if there is one (a retry: its key again), else a new one with a new key. Send it with attempt().
 */
export function prepare({ kind, target, label, mutation, field, variables }) {
  const signature = JSON.stringify([kind, target, variables])
  let action = actions.find((a) => a.signature === signature && isOpen(a))
  if (!action) {
    action = { id: crypto.randomUUID(), kind, target, label, mutation, field, variables, signature,
      key: crypto.randomUUID(), attempts: 0, state: 'new', at: new Date().toISOString() }
    actions = [action, ...actions]
    save()
  }
  return action
}

/** Sends the action again with its own key (check again, or retry what was not applied). */
export async function attempt(action) {
  const current = actions.find((a) => a.id === action.id) ?? action
  current.attempts += 1
  current.sending = true
  save()
  let next
  try {
    const body = await gql(current.mutation, { ...current.variables, idempotencyKey: current.key })
    next = classify(body.data?.[current.field], body.errors)
  } catch (error) {
    next = error.lost
      ? { state: 'pending', outcome: { unknown: true, code: 'NO_REPLY', message: error.message } }
      : { state: 'failed', outcome: { code: error.code || `HTTP_${error.status}`, message: error.message,
          retryable: error.status === 429 } }
  }
  Object.assign(current, next, { sending: false, checkedAt: new Date().toISOString() })
  save()
  return current
}

export function forget(action) {
  actions = actions.filter((a) => a.id !== action.id)
  save()
}

/** The actions (newest first), re-rendered as they change. */
export function useActions(filter = () => true) {
  const [all, set] = useState(actions)
  useEffect(() => {
    listeners.add(set)
    return () => listeners.delete(set)
  }, [])
  return all.filter(filter)
}
