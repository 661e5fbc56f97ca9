// htm over Preact's h: JSX-like templates in plain JavaScript, with no compile step of their own.
import { h } from 'preact'
import htm from 'htm'

export const html = htm.bind(h)
