'use strict';
const { show } = require('./_common');
const semver = require('semver');
const versions = ['1.2.3', 'v1.2.3', '=1.2.3', '1.2.3-alpha.1', '1.2.3-alpha.beta', '1.2.3+build.5', '0.0.0', '0.1.0',
  '1.0.0-rc.1', '2.0.0', '10.20.30', '1.2', ' 1.2.3 ', 'a.b.c', '1.2.3-0', '1.2.4-beta.2+meta', '4.3.2-alpha',
  '999999999999999999.0.0', '01.2.3', '1.2.3-01', '3.0.0-next.1', '2.1.0', null, 42];
const ranges = ['^1.2.3', '~1.2', '>=1.0.0 <2.0.0', '1.x', '*', '', '1.2.3 - 2.3.4', '>1.2.3-alpha', '<=2.0.0 || >=3.0.0',
  '^0.1.2', '~0.0.1', '>=1.2.3-alpha.1', 'x.x.x', '=1.2.3', '^1.2.3-beta', '~>1.2', 'not a range', '<1.0.0-0',
  '>=1.2.7 <1.3.0 || 2.x', '^2.0.0-rc.1'];
const releases = ['major', 'minor', 'patch', 'premajor', 'preminor', 'prepatch', 'prerelease', 'release', 'bogus'];
for (const v of versions) {
  const k = JSON.stringify(v);
  show('valid ' + k, () => semver.valid(v));
  show('clean ' + k, () => semver.clean(v));
  show('parse ' + k, () => { const p = semver.parse(v); return p && [p.major, p.minor, p.patch, p.prerelease, p.build, p.version]; });
  show('coerce ' + k, () => String(semver.coerce(v)));
  show('coerce-rtl ' + k, () => String(semver.coerce(v, { rtl: true, includePrerelease: true })));
  show('prerelease ' + k, () => semver.prerelease(v));
  for (const r of releases) {
    show(`inc ${k} ${r}`, () => semver.inc(v, r));
    show(`inc ${k} ${r} beta`, () => semver.inc(v, r, 'beta'));
  }
  for (const w of versions.slice(0, 16)) {
    const kw = JSON.stringify(w);
    show(`compare ${k} ${kw}`, () => semver.compare(v, w));
    show(`compareBuild ${k} ${kw}`, () => semver.compareBuild(v, w));
    show(`diff ${k} ${kw}`, () => semver.diff(v, w));
    show(`gt-lte ${k} ${kw}`, () => [semver.gt(v, w, true), semver.lte(v, w, true), semver.neq(v, w, true)]);
  }
  for (const r of ranges) {
    show(`satisfies ${k} ${r}`, () => semver.satisfies(v, r));
    show(`satisfies-pre ${k} ${r}`, () => semver.satisfies(v, r, { includePrerelease: true, loose: true }));
    show(`gtr-ltr ${k} ${r}`, () => [semver.gtr(v, r), semver.ltr(v, r)]);
  }
}
for (const r of ranges) {
  show('validRange ' + r, () => semver.validRange(r));
  show('minVersion ' + r, () => String(semver.minVersion(r)));
  show('maxSatisfying ' + r, () => semver.maxSatisfying(versions.filter(v => typeof v === 'string'), r));
  show('minSatisfying ' + r, () => semver.minSatisfying(versions.filter(v => typeof v === 'string'), r, { loose: true }));
  show('toComparators ' + r, () => semver.toComparators(r));
  show('simplify ' + r, () => semver.simplifyRange(versions.filter(v => semver.valid(v)), r));
  for (const q of ranges) {
    show(`intersects ${r} ${q}`, () => semver.intersects(r, q));
    show(`subset ${r} ${q}`, () => semver.subset(r, q));
  }
}
show('sort', () => semver.sort(versions.filter(v => semver.valid(v))));
show('rsort', () => semver.rsort(versions.filter(v => semver.valid(v)), true));
show('range-object', () => { const r = new semver.Range('>=1.2.3 <2 || ^3.1'); return [r.range, r.set.length, r.test('1.5.0'), String(r)]; });
show('comparator', () => { const c = new semver.Comparator('>=1.2.3'); return [c.operator, String(c.semver), c.test('1.3.0')]; });
