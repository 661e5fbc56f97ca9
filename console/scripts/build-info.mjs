// Writes build-info.json beside the built console: a SHA-256 over the sources the build read, so that
// tests/test_console.py can tell a source change that was not rebuilt (it recomputes the same digest).
//
// The digest: for each file (console/src/**, index.html, vite.config.js, package.json, package-lock.json), in
// order of its path relative to console/ (with /), the line "<path>\0<sha256 of its bytes>\n"; the SHA-256 of it all.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, '..', 'gateway', 'static', 'console', 'build-info.json')

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

const files = [...walk(join(root, 'src')), ...['index.html', 'vite.config.js', 'package.json', 'package-lock.json'].map((f) => join(root, f))]
  .map((path) => relative(root, path).split(sep).join('/'))
  .sort()
const digest = createHash('sha256')
for (const path of files) {
  const content = readFileSync(join(root, path))
  digest.update(`${path}\0${createHash('sha256').update(content).digest('hex')}\n`)
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
const versions = Object.fromEntries(
  ['preact', 'htm', 'graphql-ws', 'echarts', 'vite'].map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? null]),
)
writeFileSync(
  out,
  JSON.stringify({ sources_sha256: digest.digest('hex'), files: files.length, versions, rebuild: 'cd console && npm ci && npm run build' }, null, 2) + '\n',
)
console.log(`build-info.json: ${files.length} source files hashed`)
