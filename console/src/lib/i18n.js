// A small hand-written i18n: one message table per language (zh-CN by default), {name} placeholders,
// the choice kept in localStorage. Components call useLang() so that a switch re-renders them.
import { useEffect, useState } from 'preact/hooks'
import zh from '../messages/zh-CN.js'
import en from '../messages/en.js'

export const LANGUAGES = { 'zh-CN': zh, en }
const STORAGE_KEY = 'pgw.console.lang'
const listeners = new Set()

function initial() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved && saved in LANGUAGES) return saved
  } catch {
    // storage blocked: the default
  }
  return 'zh-CN'
}

let lang = initial()
document.documentElement.lang = lang

export function getLang() {
  return lang
}

export function setLang(next) {
  if (!(next in LANGUAGES) || next === lang) return
  lang = next
  document.documentElement.lang = next
  try {
    localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // not persisted, still switched
  }
  for (const listener of listeners) listener(next)
}

/** The message `key` in the current language (English, then the key itself, when missing). */
export function t(key, params) {
  const text = LANGUAGES[lang][key] ?? en[key] ?? key
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? '').toString()) : text
}

/** An enum value's label (`<prefix>.<VALUE>`), or the value itself. */
export function te(prefix, value) {
  if (value == null) return '—'
  const key = `${prefix}.${value}`
  return LANGUAGES[lang][key] ?? en[key] ?? String(value)
}

export function useLang() {
  const [current, set] = useState(lang)
  useEffect(() => {
    listeners.add(set)
    return () => listeners.delete(set)
  }, [])
  return current
}
