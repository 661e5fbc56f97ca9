// Invite or create a customer: Aliyun files the customer and e-mails a 72-hour registration link; Huawei creates
// the account at once (a phone given must be verified with the SMS code sendVerificationCode sends).
import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { t, te } from '../lib/i18n.js'
import { dateTime } from '../lib/format.js'
import { href } from '../lib/router.js'
import { attempt, prepare, useActions } from '../lib/actions.js'
import { Outcome } from '../lib/outcome.js'
import { RECEIPT, RESULT } from '../lib/writeform.js'
import { Alert, Errors, Field, Loading, nodes, useQuery } from '../lib/ui.js'

const PARTNERS = `query InvitePartners { partners { nodes { id name provider role capabilities } } }`
const CREATE = `mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String!) {
  createCustomer(input: $input, idempotencyKey: $idempotencyKey) { ${RESULT}
    ... on CreateCustomerPayload { ${RECEIPT} customerId invitationId registrationUrl
      customer { id name status invitationExpiresAt } } } }`
const SEND_CODE = `mutation SendCode($partnerId: ID!, $phone: String!, $idempotencyKey: String!) {
  sendVerificationCode(partnerId: $partnerId, phone: $phone, idempotencyKey: $idempotencyKey) { ${RESULT}
    ... on CustomerPayload { ${RECEIPT} } } }`
const INVITATION_HOURS = 72

const TYPES = { aliyun: ['AGENCY', 'CONSIGNMENT'], huaweicloud: ['RESALE', 'ADVISORY'] }

export function Invite({ viewer }) {
  const query = useQuery(PARTNERS, {}, 'partners')
  const partners = nodes(query.data?.partners).filter((p) => p.capabilities.includes('CREATE_CUSTOMER'))
  const [partnerId, setPartnerId] = useState('')
  const partner = partners.find((p) => p.id === partnerId) ?? partners[0]
  if (query.loading) return html`<div class="screen"><${Loading} /></div>`
  return html`<div class="screen">
    <h1>${t('nav.invite')}</h1>
    <${Errors} errors=${query.errors} error=${query.error} />
    <div class="card narrow">
      <${Field} label=${t('common.partner')} id="invite-partner">
        <select id="invite-partner" data-testid="invite-partner" value=${partner?.id} onChange=${(e) => setPartnerId(e.currentTarget.value)}>
          ${partners.map((p) => html`<option value=${p.id}>${p.name} (${te('provider', p.provider)})</option>`)}
        </select>
      <//>
      ${partner ? html`<${CreateForm} key=${partner.id} partner=${partner} viewer=${viewer} />` : html`<p class="muted">${t('invite.none')}</p>`}
    </div>
  </div>`
}

function CreateForm({ partner, viewer }) {
  const aliyun = partner.provider === 'aliyun'
  const [v, setV] = useState({ name: '', accountType: TYPES[partner.provider]?.[0] ?? 'AGENCY', kind: 'ENTERPRISE', email: '',
    phone: '', verificationCode: '', accountName: '', owner: '', creditLine: '' })
  const [actionId, setActionId] = useState(null)
  const [codeId, setCodeId] = useState(null)
  const [invalid, setInvalid] = useState(null)
  const [action] = useActions((a) => a.id === actionId)
  const [codeAction] = useActions((a) => a.id === codeId)
  const set = (name) => (e) => setV({ ...v, [name]: e.currentTarget.value })
  const input = (name, label, props = {}) => html`<${Field} label=${label} id=${`invite-${name}`} hint=${props.hint}>
    <input id=${`invite-${name}`} data-testid=${`invite-${name}`} value=${v[name]} onInput=${set(name)} autocomplete="off"
      aria-describedby=${props.hint ? `invite-${name}-hint` : undefined} type=${props.type || 'text'} />
  <//>`

  const sendCode = async () => {
    if (!/^\+?\d{6,15}$/.test(v.phone.trim())) {
      setInvalid(t('invite.phoneInvalid'))
      return
    }
    setInvalid(null)
    const prepared = prepare({ kind: 'sendVerificationCode', target: `phone:${v.phone.trim()}`, label: t('invite.sendCode'),
      mutation: SEND_CODE, field: 'sendVerificationCode', variables: { partnerId: partner.id, phone: v.phone.trim() } })
    setCodeId(prepared.id)
    await attempt(prepared)
  }

  const submit = async (event) => {
    event.preventDefault()
    const missing = [['name', t('invite.name')], ...(aliyun ? [['email', t('customer.email')]] : [['accountName', t('invite.accountName')]])]
      .find(([k]) => !v[k].trim())
    if (missing) {
      setInvalid(t('form.required', { field: missing[1] }))
      document.getElementById(`invite-${missing[0]}`)?.focus()
      return
    }
    if (!aliyun && v.phone.trim() && !v.verificationCode.trim()) {
      setInvalid(t('invite.codeNeeded'))
      document.getElementById('invite-verificationCode')?.focus()
      return
    }
    setInvalid(null)
    const input = { partnerId: partner.id, name: v.name.trim(), accountType: v.accountType, kind: v.kind }
    if (v.email.trim()) input.email = v.email.trim()
    if (v.phone.trim()) input.phone = v.phone.trim()
    if (!aliyun && v.verificationCode.trim()) input.verificationCode = v.verificationCode.trim()
    if (!aliyun) input.accountName = v.accountName.trim()
    if (v.owner.trim() && viewer.role !== 'SALES') input.owner = v.owner.trim()
    if (aliyun && v.accountType === 'CONSIGNMENT' && v.creditLine.trim()) input.creditLine = { amount: v.creditLine.trim(), currency: 'CNY' }
    const prepared = prepare({ kind: 'createCustomer', target: `new:${partner.id}`, label: aliyun ? t('invite.invite') : t('invite.create'),
      mutation: CREATE, field: 'createCustomer', variables: { input } })
    setActionId(prepared.id)
    await attempt(prepared)
  }

  const result = action?.state === 'settled' ? action.outcome.result : null
  return html`<form class="stack" onSubmit=${submit} data-testid="invite-form" data-provider=${partner.provider}>
    <p class="alert alert-info">${aliyun ? t('invite.aliyunIntro', { hours: INVITATION_HOURS }) : t('invite.huaweiIntro')}</p>
    ${input('name', t('invite.name'))}
    <${Field} label=${t('customers.accountType')} id="invite-accountType">
      <select id="invite-accountType" data-testid="invite-accountType" value=${v.accountType} onChange=${set('accountType')}>
        ${(TYPES[partner.provider] ?? []).map((x) => html`<option value=${x}>${te('accountType', x)}</option>`)}
      </select>
    <//>
    <${Field} label=${t('customer.kind')} id="invite-kind">
      <select id="invite-kind" data-testid="invite-kind" value=${v.kind} onChange=${set('kind')}>
        ${['ENTERPRISE', 'INDIVIDUAL'].map((x) => html`<option value=${x}>${te('kind', x)}</option>`)}
      </select>
    <//>
    ${input('email', aliyun ? t('customer.email') : `${t('customer.email')} (${t('form.optional')})`, { type: 'email', hint: aliyun ? t('invite.emailHint') : null })}
    ${aliyun ? null : input('accountName', t('invite.accountName'), { hint: t('invite.accountNameHint') })}
    ${aliyun
      ? input('phone', `${t('customer.phone')} (${t('form.optional')})`, { type: 'tel' })
      : html`<div class="row">
          ${input('phone', `${t('customer.phone')} (${t('form.optional')})`, { type: 'tel', hint: t('invite.phoneHint') })}
          <button type="button" data-testid="invite-send-code" onClick=${sendCode} disabled=${codeAction?.sending}>${t('invite.sendCode')}</button>
        </div>
        ${codeAction ? html`<${Outcome} action=${codeAction} />` : null}
        ${input('verificationCode', t('invite.code'), { hint: t('invite.codeHint') })}`}
    ${aliyun && v.accountType === 'CONSIGNMENT' ? input('creditLine', `${t('customer.creditLine')} (CNY, ${t('form.optional')})`) : null}
    ${viewer.role !== 'SALES' ? input('owner', `${t('customers.owner')} (${t('form.optional')})`) : html`<p class="small muted">${t('invite.ownerSelf', { owner: viewer.owner })}</p>`}
    ${invalid ? html`<${Alert}>${invalid}<//>` : null}
    <div class="actions"><button type="submit" class="primary" data-testid="invite-submit" disabled=${action?.sending}>${aliyun ? t('invite.invite') : t('invite.create')}</button></div>
    <${Outcome} action=${action} />
    ${result ? html`<div class="alert alert-good" data-testid="invite-result">
        ${result.registrationUrl
          ? html`<p>${t('invite.sent')}</p>
              <p><span class="muted">${t('invite.link')}:</span> <code data-testid="invite-link">${result.registrationUrl}</code></p>
              <p data-testid="invite-expires"><strong><span aria-hidden="true">◔ </span>${result.customer?.invitationExpiresAt
                ? t('invite.expires', { hours: INVITATION_HOURS, at: dateTime(result.customer.invitationExpiresAt) })
                : t('invite.expiresIn', { hours: INVITATION_HOURS })}</strong></p>`
          : html`<p>${t('invite.created', { id: result.customerId })}</p>`}
        ${result.customer ? html`<p><a href=${href('customers', result.customer.id)}>${t('invite.open')}</a></p>` : null}
      </div>` : null}
  </form>`
}
