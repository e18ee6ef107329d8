// Shared by the drivers: print each result as one JSON line, errors as their class and message.
// V8's own messages quote the source text of the failing expression ("version.trim is not a
// function"), which renaming changes by design (a documented limit of every renaming op): that
// part is replaced by <expr>; libraries' own messages are kept verbatim.
'use strict';
const QUOTED = /^.*? is not (a function|iterable|a constructor|an object)\b/;
function normalise(message) {
  return message.replace(QUOTED, '<expr> is not $1');
}
function show(label, fn) {
  let out;
  try {
    out = { ok: fn() };
  } catch (e) {
    out = { error: e && e.constructor ? e.constructor.name : typeof e, message: normalise(String(e && e.message)) };
  }
  let line;
  try {
    line = JSON.stringify(out, (k, v) => (v === undefined ? '<undefined>' : typeof v === 'bigint' ? String(v) : v));
  } catch (e) {
    line = String(out.ok);
  }
  console.log(label + ' ' + line);
}
// a small seeded generator (mulberry32), so inputs are the same on every run
function rng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
module.exports = { show, rng };
