'use strict';
const { show } = require('./_common');
const { balanced, range } = require('balanced-match');
const { expand } = require('brace-expansion');
const patterns = ['a{b,c}d', '{1..5}', '{a..e}', '{01..10..3}', '{5..1}', 'x{{a,b},c}y', '{a,b}{1,2}', 'a{,b}c', '{}', 'a{b}c',
  '\\{a,b}', '{a..z..5}', 'file{1..3}.{js,ts}', '{-3..3}', '{1..10..-2}', 'nested{a,{b,{c,d}}}', '${a,b}', 'plain', '',
  '{a,b', 'a,b}', '{{}}', '{1..2}{a..b}{x,y}'];
for (const p of patterns) {
  show('expand ' + JSON.stringify(p), () => expand(p));
  show('expand-max ' + JSON.stringify(p), () => expand(p, { max: 3 }));
}
const pairs = [['{', '}', 'pre{in{nest}}post'], ['{', '}', 'nope'], ['(', ')', 'a(b)c(d)e'], ['<', '>', '<<a>b'],
  ['{', '}', '{a}{b}'], ['ab', 'cd', 'xabyabzcdwcd'], [/\s+\{\s+/, /\s+\}\s+/, 'pre  {   in{nest}   }  post']];
for (const [a, b, s] of pairs) {
  show(`balanced ${a} ${b} ${s}`, () => balanced(a, b, s));
  if (typeof a === 'string') show(`range ${a} ${b} ${s}`, () => range(a, b, s));
}
