import { describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../../renderer/src/pages/environment/terminal/batched-writer';

/** A stand-in for xterm's write(data, callback): records each write, parses when told. */
function fakeTerm() {
  const writes: string[] = [];
  const parsers: (() => void)[] = [];
  const writer = new BatchedWriter((data, parsed) => {
    writes.push(new TextDecoder().decode(data));
    parsers.push(parsed);
  });
  return { writes, writer, parseNext: () => parsers.shift()!() };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('BatchedWriter', () => {
  it('writes the first bytes at once and gathers what comes while xterm parses', () => {
    const { writes, writer, parseNext } = fakeTerm();
    writer.push(bytes('a'));
    expect(writes).toEqual(['a']);
    writer.push(bytes('b'));
    writer.push(bytes('c'));
    writer.push(bytes('d'));
    expect(writes).toEqual(['a']);
    parseNext();
    expect(writes).toEqual(['a', 'bcd']);
    parseNext();
    // Idle again: the next bytes go straight through.
    writer.push(bytes('e'));
    expect(writes).toEqual(['a', 'bcd', 'e']);
  });

  it('writes nothing more once dropped', () => {
    const { writes, writer, parseNext } = fakeTerm();
    writer.push(bytes('a'));
    writer.push(bytes('b'));
    writer.drop();
    parseNext();
    writer.push(bytes('c'));
    expect(writes).toEqual(['a']);
  });
});
