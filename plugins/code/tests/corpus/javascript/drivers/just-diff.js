'use strict';
const { show, rng } = require('./_common');
const { diff, jsonPatchPathConverter } = require('just-diff');
const { diffApply } = require('just-diff-apply');
const cases = [
  [{ a: 1, b: 2 }, { a: 1, b: 3, c: 4 }],
  [{ a: [1, 2, 3], b: { c: { d: 1 } } }, { a: [1, 3], b: { c: { d: 2, e: [5] } } }],
  [[1, 2, 3, 4], [4, 3, 2, 1, 0]],
  [{ x: null, y: undefined }, { x: 0, z: null }],
  [{ date: new Date(0) }, { date: new Date(1000) }],
  [{ nested: { deep: { list: [{ k: 1 }, { k: 2 }] } } }, { nested: { deep: { list: [{ k: 1 }, { k: 3 }, { k: 4 }] } } }],
  [{}, {}],
  [[], [[]]],
  [{ 'a/b': 1, '~c': 2 }, { 'a/b': 3 }],
];
const random = rng(7);
function randomValue(depth) {
  const r = random();
  if (depth > 2 || r < 0.3) return Math.floor(random() * 5);
  if (r < 0.45) return ['s', 't', 'u'][Math.floor(random() * 3)];
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
  const o = {};
  for (let i = 0; i < 1 + Math.floor(random() * 3); i++) o['k' + Math.floor(random() * 4)] = randomValue(depth + 1);
  return o;
}
function randomContainer() {
  let v = randomValue(1);
  while (typeof v !== 'object') v = randomValue(1);
  return v;
}
for (let i = 0; i < 150; i++) cases.push([randomContainer(), randomContainer()]);
cases.forEach(([a, b], i) => {
  show('diff ' + i, () => diff(a, b));
  show('diff-json ' + i, () => diff(a, b, jsonPatchPathConverter));
  show('apply ' + i, () => {
    if (typeof a !== 'object' || a === null) return 'scalar';
    const copy = JSON.parse(JSON.stringify(a));
    diffApply(copy, diff(a, b));
    return copy;
  });
});
show('apply-proto', () => diffApply({}, [{ op: 'add', path: ['__proto__', 'polluted'], value: 1 }]));
show('apply-bad-op', () => diffApply({}, [{ op: 'move', path: ['a'], value: 1 }]));
