// Keeps generated docs and lists true: the README's settings table, docs/errors.md's codes, the
// README's two commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderReadme } from '../scripts/gen-docs.js';
import { ERROR_CODES } from '../src/errors.js';

test('the README settings table matches src/config/settings.ts (run `npm run docs` when it does not)', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(renderReadme(readme), readme);
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
});

test('docs/errors.md lists every error code', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  for (const code of ERROR_CODES) assert.match(doc, new RegExp('`' + code + '`'), `docs/errors.md lacks ${code}`);
});
