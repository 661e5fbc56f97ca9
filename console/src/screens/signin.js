import { useState } from 'preact/hooks'
import { html } from '../lib/html.js'
import { setCredential, startOidc } from '../lib/auth.js'
import { t } from '../lib/i18n.js'
import { LanguageSwitch } from '../lib/langswitch.js'
import { Alert } from '../lib/ui.js'

export function SignIn({ config, notice }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  const oidc = config.auth?.oidc
  const submit = (event) => {
    event.preventDefault()
    const value = key.trim()
    if (!value) {
      setError(t('signin.keyMissing'))
      return
    }
    setCredential({ kind: value.startsWith('pgw_') ? 'apikey' : 'token', value })
  }
  const withIssuer = async () => {
    setBusy(true)
    try {
      await startOidc(oidc, location.hash)
    } catch (e) {
      setError(`${t('signin.oidcFailed')}: ${e.message}`)
      setBusy(false)
    }
  }
  return html`<main class="signin" id="main">
    <div class="signin-card">
      <div class="signin-head">
        <h1><span class="logo" aria-hidden="true">◆</span> ${t('app.title')}</h1>
        <${LanguageSwitch} />
      </div>
      <p class="muted">${t('signin.intro')}</p>
      ${notice ? html`<p class="alert alert-warn" role="alert"><span aria-hidden="true">! </span>${notice}</p>` : null}
      ${error ? html`<${Alert}>${error}<//>` : null}
      ${oidc
        ? html`<button type="button" class="primary wide" data-testid="signin-oidc" disabled=${busy} onClick=${withIssuer}>
              ${t('signin.withIssuer', { issuer: new URL(oidc.issuer).host })}
            </button>
            <p class="or"><span>${t('signin.or')}</span></p>`
        : null}
      <form onSubmit=${submit} class="stack">
        <div class="field">
          <label for="signin-apikey">${t('signin.apiKey')}</label>
          <input
            id="signin-apikey"
            data-testid="signin-apikey"
            type="password"
            autocomplete="off"
            spellcheck="false"
            value=${key}
            onInput=${(e) => setKey(e.currentTarget.value)}
            aria-describedby="signin-apikey-hint"
          />
          <small id="signin-apikey-hint" class="hint">${t('signin.apiKeyHint')}</small>
        </div>
        <button type="submit" class=${oidc ? '' : 'primary'} data-testid="signin-submit">${t('signin.submit')}</button>
      </form>
    </div>
  </main>`
}
