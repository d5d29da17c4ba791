import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayNameProblem } from './display-names.js';

describe('displayNameProblem', () => {
  it('accepts names in any script, emoji included', () => {
    for (const name of ['Web shop', 'Boutique été', 'ウェブショップ', 'متجر', '💥 launches']) assert.equal(displayNameProblem(name), undefined, name);
  });

  it('refuses control characters and bidirectional overrides', () => {
    for (const name of ['a\u0000b', 'line\nbreak', 'tab\there', 'bell\u0007', 'gnp\u202eexe', 'x\u2066y', 'c1\u0085']) {
      assert.match(displayNameProblem(name) ?? '', /control characters or bidirectional overrides/, JSON.stringify(name));
    }
  });
});
