import { html } from '../lib/html.js'
import { t } from '../lib/i18n.js'

export function Overview() {
  return html`<div class="screen"><h1>${t('nav.overview')}</h1><p class="muted">${t('common.soon')}</p></div>`
}
