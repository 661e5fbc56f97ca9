// One write as a small form: its fields, a submit, and the outcome (lib/outcome.js). The key is the action's
// (lib/actions.js): sending the same input again while the first is open reuses it.
import { useState } from 'preact/hooks'
import { html } from './html.js'
import { t } from './i18n.js'
import { attempt, prepare, useActions } from './actions.js'
import { Outcome } from './outcome.js'
import { Alert } from './ui.js'

/** The fragment every write result selects: payload receipts, and every error member's fields. */
export const RESULT = `
  __typename
  ... on MutationError { message code }
  ... on RuleViolationError { reason field }
  ... on InvalidInputError { field }
  ... on UpstreamError { reason retryable pending operationId requestId upstreamCode }
`
export const RECEIPT = `operation { operationId replayed reconciled requestId upstreamIds }`

/**
 * fields: [{ id, label, type: 'money' | 'number' | 'text' | 'select' | 'textarea', options?, required?, hint? }]
 * build(values) -> the mutation's variables (without the key).
 */
export function WriteForm({ name, title, kind, target, mutation, field, fields, build, submitLabel, onSettled, intro, initial = {} }) {
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f.id, initial[f.id] ?? f.initial ?? ''])))
  const [actionId, setActionId] = useState(null)
  const [invalid, setInvalid] = useState(null)
  const [action] = useActions((a) => a.id === actionId)
  const submit = async (event) => {
    event.preventDefault()
    for (const f of fields) {
      if (f.required !== false && f.type !== 'checkbox' && !String(values[f.id]).trim()) {
        setInvalid(t('form.required', { field: f.label }))
        document.getElementById(`${name}-${f.id}`)?.focus()
        return
      }
      if (f.type === 'money' && !/^\d+(\.\d{1,2})?$/.test(String(values[f.id]).trim())) {
        setInvalid(t('form.amount', { field: f.label }))
        document.getElementById(`${name}-${f.id}`)?.focus()
        return
      }
    }
    setInvalid(null)
    const prepared = prepare({ kind, target, label: title, mutation, field, variables: build(values) })
    setActionId(prepared.id)
    const done = await attempt(prepared)
    if (done.state === 'settled') onSettled?.(done)
  }
  const busy = Boolean(action?.sending)
  return html`<form class="stack write-form" onSubmit=${submit} aria-labelledby=${`${name}-title`} data-testid=${`${name}-form`}>
    <h3 id=${`${name}-title`}>${title}</h3>
    ${intro ? html`<p class="small muted">${intro}</p>` : null}
    ${fields.map((f) => html`<${Input} name=${name} field=${f} value=${values[f.id]} onChange=${(v) => setValues({ ...values, [f.id]: v })} />`)}
    ${invalid ? html`<${Alert}>${invalid}<//>` : null}
    <div class="actions">
      <button type="submit" class="primary" data-testid=${`${name}-submit`} disabled=${busy}>${submitLabel || t('common.submit')}</button>
    </div>
    <${Outcome} action=${action} onSettled=${onSettled} />
  </form>`
}

function Input({ name, field: f, value, onChange }) {
  const id = `${name}-${f.id}`
  const common = { id, 'data-testid': id, 'aria-describedby': f.hint ? `${id}-hint` : undefined }
  let control
  if (f.type === 'select') {
    control = html`<select ...${common} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${f.placeholder ? html`<option value="">${f.placeholder}</option>` : null}
      ${f.options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>`
  } else if (f.type === 'textarea') {
    control = html`<textarea ...${common} value=${value} onInput=${(e) => onChange(e.currentTarget.value)}></textarea>`
  } else if (f.type === 'checkbox') {
    return html`<div class="field"><label class="inline"><input type="checkbox" ...${common} checked=${Boolean(value)} onChange=${(e) => onChange(e.currentTarget.checked)} /> ${f.label}</label></div>`
  } else {
    control = html`<input
      ...${common}
      type=${f.type === 'number' ? 'number' : f.type === 'email' ? 'email' : f.type === 'tel' ? 'tel' : 'text'}
      inputmode=${f.type === 'money' ? 'decimal' : undefined}
      autocomplete="off"
      value=${value}
      onInput=${(e) => onChange(e.currentTarget.value)}
    />`
  }
  return html`<div class="field">
    <label for=${id}>${f.label}${f.type === 'money' ? html` <span class="muted">(${f.currency || 'CNY'})</span>` : null}</label>
    ${control}
    ${f.hint ? html`<small id=${`${id}-hint`} class="hint">${f.hint}</small>` : null}
  </div>`
}
