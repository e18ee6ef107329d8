'use strict';
const { show } = require('./_common');
const ms = require('ms');
const inputs = ['2 days', '1d', '10h', '2.5 hrs', '2h', '1m', '5s', '1y', '100', '-3 days', '-200', '1w', '3 weeks', '.5ms',
  '53 milliseconds', '17 msecs', 'abc', '', '☃', '10 foo', '1e3', ' 1 hour ', '1.5H', 'Infinity'];
for (const s of inputs) show('parse ' + JSON.stringify(s), () => ms(s));
const numbers = [0, 1, 999, 1000, 1500, 59999, 60000, 90000, 3599999, 3600000, 86399999, 86400000, 604800000, 31557600000,
  -1, -1500, -90000, -86400000, 2.5, NaN, Infinity];
for (const n of numbers) {
  show('fmt ' + n, () => ms(n));
  show('long ' + n, () => ms(n, { long: true }));
}
show('bad', () => ms({}));
