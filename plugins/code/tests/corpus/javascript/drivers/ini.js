'use strict';
const { show } = require('./_common');
const ini = require('ini');
const text = `; comment
o = p
a with spaces   =     b  c
" xa  n          p " = "\\"\\r\\nyoyoyo\\r\\r\\n"
"[disturbing]" = hey you never know
s = something
s1 = "something'
s2 = "something else"
s3 =
s4
s5 = '   '
zr[] = deedee
ar[] = one
ar[] = three
ar   = this is included
br = cold
br = warm
eq = "eq=eq"

[a]
av = a val
e = { o: p, a: { av: a val, b: { c: { e: "this [value]" } } } }
j = "{ o: "p", a: { av: "a val", b: { c: { e: "this [value]" } } } }"
"[]" = a square?
cr[] = four
cr[] = eight

[a.b.c]
e = 1
j = 2

[x\\.y\\.z]
x.y.z = xyz

[x\\.y\\.z.a\\.b\\.c]
a.b.c = abc
nocomment = this\\; this is not a comment
noHashComment = this\\# this is not a comment

[log]
type=file
level = info
`;
show('parse', () => ini.parse(text));
show('roundtrip', () => ini.encode(ini.parse(text)));
show('encode-opts', () => ini.encode({ a: 1, b: { c: [1, 2], d: 'x=y' } }, { section: 'top', whitespace: true, align: true }));
show('encode-sort', () => ini.encode({ z: 1, a: 2, s: { y: 1, b: 2 } }, { sort: true, newline: true, bracketedArray: false }));
show('safe', () => [ini.safe('a;b'), ini.safe('"q"'), ini.safe(' pad '), ini.unsafe('"a\\;b"'), ini.unsafe("'x'")]);
show('proto', () => ini.parse('__proto__ = 1\n[__proto__]\nx = 2\n'));
