'use strict';
const { show } = require('./_common');
const abbrev = require('abbrev');
show('words', () => abbrev('install', 'uninstall', 'init', 'info', 'inspect', 'i'));
show('list', () => abbrev(['ruby', 'rules', 'rulez', 'rue', 'rust', 'r']));
show('empty', () => abbrev([]));
show('dup', () => abbrev('a', 'a', 'ab', 'abc'));
show('numbers', () => abbrev(1, 12, 123));
