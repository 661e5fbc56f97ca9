import { html } from '../lib/html.js'
import { t } from '../lib/i18n.js'

export function Resellers() {
  return html`<div class="screen"><h1>${t('nav.resellers')}</h1><p class="muted">${t('common.soon')}</p></div>`
}
