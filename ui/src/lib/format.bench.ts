// segments() beside a plain split of the same text: both read every character once.
import { bench, describe } from 'vitest';
import { megabyteMessage } from '../testing/messages';
import { segments } from './format';

const message = megabyteMessage();
const word = 'x'.repeat(40_000);
const local = `${'a'.repeat(100_000)}@`;

describe('a 1 MB message, Arabic and English with links', () => {
  bench('segments', () => void segments(message));
  bench('baseline: split(/\\s+/)', () => void message.split(/\s+/));
});

describe('a 40,000-character word without @', () => {
  bench('segments', () => void segments(word));
  bench('baseline: split(/\\s+/)', () => void word.split(/\s+/));
});

describe('100,000 characters then @', () => {
  bench('segments', () => void segments(local));
  bench('baseline: split(/\\s+/)', () => void local.split(/\s+/));
});
