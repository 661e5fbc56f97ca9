import { html } from './html.js'
import { LANGUAGES, getLang, setLang } from './i18n.js'

/** One button: switches to the other language, labelled in it (中文 / English). */
export function LanguageSwitch() {
  const lang = getLang()
  const next = lang === 'zh-CN' ? 'en' : 'zh-CN'
  return html`<button
    type="button"
    class="lang"
    data-testid="lang-switch"
    data-lang=${lang}
    lang=${next}
    aria-label=${LANGUAGES[next]['lang.switchTo']}
    onClick=${() => setLang(next)}
  >
    <span aria-hidden="true">⇄ </span>${LANGUAGES[next]['lang.name']}
  </button>`
}
