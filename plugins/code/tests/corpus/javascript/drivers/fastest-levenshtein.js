'use strict';
const { show, rng } = require('./_common');
const { closest, distance } = require('fastest-levenshtein');
const random = rng(11);
const alphabet = 'abcdeABCDE0123 ✓';
function word(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}
const lengths = [0, 1, 2, 5, 31, 32, 33, 63, 64, 65, 100, 200];
for (const a of lengths) for (const b of lengths) {
  const x = word(a), y = word(b);
  show(`distance ${a} ${b}`, () => distance(x, y));
}
for (let i = 0; i < 20; i++) {
  const target = word(1 + Math.floor(random() * 40));
  const pool = Array.from({ length: 12 }, () => word(1 + Math.floor(random() * 40)));
  show('closest ' + i, () => closest(target, pool));
}
