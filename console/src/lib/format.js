// Money stays a decimal string (the graph's): grouped for display, never through a float.
import { getLang } from './i18n.js'

const SYMBOLS = { CNY: '¥', USD: '$', EUR: '€', HKD: 'HK$' }

export function groupDecimal(amount) {
  const text = String(amount)
  const negative = text.startsWith('-')
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`
}

export function money(value) {
  if (!value) return '—'
  const symbol = SYMBOLS[value.currency]
  const text = groupDecimal(value.amount)
  if (!symbol) return `${text} ${value.currency}`
  return text.startsWith('-') ? `-${symbol}${text.slice(1)}` : `${symbol}${text}`
}

export function dateTime(value) {
  if (!value) return '—'
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return date.toLocaleString(getLang(), { dateStyle: 'medium', timeStyle: 'short' })
}

export function date(value) {
  if (!value) return '—'
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleDateString(getLang(), { dateStyle: 'medium' })
}

/** YYYY-MM of a date, `back` months earlier. */
export function month(back = 0, from = new Date()) {
  const d = new Date(from.getFullYear(), from.getMonth() - back, 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
