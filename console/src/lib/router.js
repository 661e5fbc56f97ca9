// A hash router: #/<screen>[/<id>]. The page itself is always /console/, so reloads and bookmarks work
// without any server-side routing, and the OIDC redirect URI is one fixed URL.
import { useEffect, useState } from 'preact/hooks'

export function parse(hash) {
  const [screen = 'overview', ...rest] = hash.replace(/^#\/?/, '').split('/').filter(Boolean)
  return { screen, id: rest.length ? decodeURIComponent(rest.join('/')) : null }
}

export function href(screen, id) {
  return `#/${screen}${id ? `/${encodeURIComponent(id)}` : ''}`
}

export function go(screen, id) {
  location.hash = href(screen, id)
}

export function useRoute() {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const changed = () => setHash(location.hash)
    addEventListener('hashchange', changed)
    return () => removeEventListener('hashchange', changed)
  }, [])
  return parse(hash)
}
