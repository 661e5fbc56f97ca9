// The shell: how to sign in (config.json), who is signed in (Query.viewer), the navigation its role allows,
// and the screen the hash names.
import { useEffect, useRef, useState } from 'preact/hooks'
import { html } from './lib/html.js'
import { finishOidc, getCredential, loadConfig, onCredentialChange, setCredential } from './lib/auth.js'
import { gql, whenSignedOut } from './lib/graphql.js'
import { t, te, useLang } from './lib/i18n.js'
import { LanguageSwitch } from './lib/langswitch.js'
import { href, useRoute } from './lib/router.js'
import { startEvents, stopEvents, useEvents } from './lib/events.js'
import { Errors, Loading } from './lib/ui.js'
import { SignIn } from './screens/signin.js'
import { Overview } from './screens/overview.js'
import { Customers } from './screens/customers.js'
import { CustomerDetail } from './screens/customer.js'
import { Invite } from './screens/invite.js'
import { Resellers } from './screens/resellers.js'
import { Projects } from './screens/projects.js'
import { Notifications } from './screens/notifications.js'
import { Audit } from './screens/audit.js'

const VIEWER = `query Viewer { viewer { name role owner movesMoney } }`

/** The screens, in navigation order, and the roles that see them. */
const SCREENS = [
  { id: 'overview', roles: ['ADMIN', 'FINANCE', 'SALES'] },
  { id: 'customers', roles: ['ADMIN', 'FINANCE', 'SALES'] },
  { id: 'invite', roles: ['ADMIN', 'FINANCE', 'SALES'] },
  { id: 'resellers', roles: ['ADMIN', 'FINANCE'] },
  { id: 'projects', roles: ['ADMIN', 'FINANCE', 'SALES'] },
  { id: 'notifications', roles: ['ADMIN', 'FINANCE', 'SALES'] },
  { id: 'audit', roles: ['ADMIN'] },
]

export function App() {
  useLang()
  const [config, setConfig] = useState(null)
  const [failure, setFailure] = useState(null)
  const [notice, setNotice] = useState(null)
  const [credential, setCred] = useState(getCredential())
  const [viewer, setViewer] = useState(null)

  useEffect(() => {
    whenSignedOut((message) => setNotice(message || t('signin.expired')))
    const off = onCredentialChange((next) => {
      setCred(next)
      setViewer(null)
      stopEvents()
    })
    loadConfig()
      .then(async (loaded) => {
        try {
          const done = await finishOidc(loaded.auth?.oidc)
          if (done?.returnTo) location.hash = done.returnTo
        } catch (error) {
          setNotice(`${t('signin.oidcFailed')}: ${error.message}`)
        }
        setConfig(loaded)
      })
      .catch(setFailure)
    return off
  }, [])

  const signedIn = config && (config.auth?.open || credential)
  useEffect(() => {
    if (!signedIn) return
    let live = true
    gql(VIEWER)
      .then((body) => {
        if (!live) return
        if (body.data?.viewer) {
          setViewer(body.data.viewer)
          startEvents({ withHistory: body.data.viewer.role !== 'SALES' })
        } else setFailure(new Error(body.errors?.[0]?.message || 'viewer'))
      })
      .catch((error) => live && error.status !== 401 && setFailure(error))
    return () => {
      live = false
    }
  }, [signedIn, credential])

  if (failure) return html`<main class="boot"><${Errors} error=${failure} /></main>`
  if (!config) return html`<${Loading} />`
  if (!signedIn) return html`<${SignIn} config=${config} notice=${notice} />`
  if (!viewer) return html`<${Loading} label=${t('signin.checking')} />`
  return html`<${Shell} viewer=${viewer} config=${config} />`
}

function Shell({ viewer, config }) {
  const route = useRoute()
  const events = useEvents()
  const allowed = SCREENS.filter((s) => s.roles.includes(viewer.role))
  const screen = allowed.find((s) => s.id === route.screen) ? route.screen : 'overview'
  useEffect(() => {
    document.title = `${t(`nav.${screen}`)} · ${t('app.title')}`
  })
  // A new screen: focus moves to its content (keyboard and screen-reader users start there, not in the nav).
  const first = useRef(true)
  useEffect(() => {
    if (first.current) first.current = false
    else document.getElementById('main')?.focus({ preventScroll: false })
  }, [screen, route.id])
  return html`<div class="shell">
    <a class="skip" href="#main" onClick=${(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>${t('app.skip')}</a>
    <header class="top">
      <div class="brand"><span class="logo" aria-hidden="true">◆</span> ${t('app.title')}</div>
      <div class="who">
        <span data-testid="signed-in-role" data-role=${viewer.role.toLowerCase()} class="role">
          <span class="role-name">${te('role', viewer.role)}</span>
          <span class="muted"> · ${viewer.owner || viewer.name}</span>
        </span>
        <${LanguageSwitch} />
        ${config.auth?.open
          ? html`<span class="badge badge-warn" title=${t('signin.openHint')}><span aria-hidden="true">! </span>${t('signin.open')}</span>`
          : html`<button type="button" class="link" data-testid="signout" onClick=${() => setCredential(null)}>${t('signin.out')}</button>`}
      </div>
    </header>
    <nav class="side" aria-label=${t('nav.label')}>
      <ul>
        ${allowed.map(
          (s) => html`<li>
            <a href=${href(s.id)} data-testid=${`nav-${s.id}`} aria-current=${s.id === screen ? 'page' : undefined}>
              ${t(`nav.${s.id}`)}
              ${s.id === 'notifications' && events.unread
                ? html` <span class="count" aria-label=${t('notifications.unread', { n: events.unread })}>${events.unread}</span>`
                : null}
            </a>
          </li>`,
        )}
      </ul>
    </nav>
    <main id="main" tabindex="-1">${renderScreen(screen, route, viewer)}</main>
  </div>`
}

function renderScreen(screen, route, viewer) {
  switch (screen) {
    case 'customers':
      return route.id ? html`<${CustomerDetail} id=${route.id} viewer=${viewer} />` : html`<${Customers} viewer=${viewer} />`
    case 'invite':
      return html`<${Invite} viewer=${viewer} />`
    case 'resellers':
      return html`<${Resellers} viewer=${viewer} />`
    case 'projects':
      return html`<${Projects} viewer=${viewer} />`
    case 'notifications':
      return html`<${Notifications} viewer=${viewer} />`
    case 'audit':
      return html`<${Audit} />`
    default:
      return html`<${Overview} viewer=${viewer} />`
  }
}
