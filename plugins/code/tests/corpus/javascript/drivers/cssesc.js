'use strict';
const { show } = require('./_common');
const cssesc = require('cssesc');
const inputs = ['abc', 'a b', '123abc', '-123', '--x', '-', '_a', '\0', 'a\x7Fb', '\uD834\uDF06', '"quoted"', "'single'",
  'line\nbreak', 'tab\there', '#id.class', '©', '\uFFFD', '', ':hover', '\\'];
for (const s of inputs) {
  for (const opts of [{}, { isIdentifier: true }, { quotes: 'double', wrap: true }, { escapeEverything: true }, { quotes: 'single' }]) {
    show(`${JSON.stringify(s)} ${JSON.stringify(opts)}`, () => cssesc(s, opts));
  }
}
