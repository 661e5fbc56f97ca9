import { html } from '../lib/html.js'
import { t } from '../lib/i18n.js'

export function Audit() {
  return html`<div class="screen"><h1>${t('nav.audit')}</h1><p class="muted">${t('common.soon')}</p></div>`
}
