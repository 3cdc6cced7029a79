import { describe, expect, it } from 'vitest';
import { isVmdkDescriptorText, sniff } from '../../../main/images/sniff.js';
import { descriptorRefs, parentHints } from '../../../main/images/vmdk-descriptor.js';
import { isoBytes, qcow2Bytes, vmdkDescriptor } from './fixtures.js';

const text = (s: string) => Buffer.from(s, 'latin1');

describe('sniff', () => {
  it('recognises each format by its first bytes', () => {
    expect(sniff(qcow2Bytes())).toBe('qcow2');
    const v1 = Buffer.from(qcow2Bytes());
    v1.writeUInt32BE(1, 4);
    expect(sniff(v1)).toBe('qcow');
    expect(sniff(text('QED\0' + '\0'.repeat(60)))).toBe('qed');
    expect(sniff(text('KDMV' + '\0'.repeat(60)))).toBe('vmdk-sparse');
    expect(sniff(text('vhdxfile' + '\0'.repeat(60)))).toBe('vhdx');
    const vdi = Buffer.alloc(512);
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    expect(sniff(vdi)).toBe('vdi');
    expect(sniff(text('conectix' + '\0'.repeat(60)))).toBe('vpc');
    expect(sniff(text('LUKS\xba\xbe' + '\0'.repeat(60)))).toBe('luks');
    expect(sniff(isoBytes())).toBe('iso');
    expect(sniff(Buffer.alloc(4096))).toBe('unknown');
    expect(sniff(Buffer.alloc(0))).toBe('unknown');
  });

  it('takes text for a VMDK descriptor the way qemu would, and more', () => {
    expect(sniff(text(vmdkDescriptor('x-flat.vmdk')))).toBe('vmdk-descriptor');
    // qemu's own probe: comments and blank lines, then version=N
    expect(isVmdkDescriptorText(text('# anything\n\n  \nversion=2\nfoo'))).toBe(true);
    expect(isVmdkDescriptorText(text('# x\r\nversion=1\r\n'))).toBe(true);
    // no header at all, but an extent line: a stated format=vmdk would open it
    expect(isVmdkDescriptorText(text('hello\nRW 8 FLAT "/etc/hostname" 0\n'))).toBe(true);
    expect(isVmdkDescriptorText(text('RDONLY 8 SPARSE"/etc/hostname"\n'))).toBe(true);
    expect(isVmdkDescriptorText(text('just some text\nversion=1\n'))).toBe(false);
    expect(isVmdkDescriptorText(text('RW 8 FLAT "/etc/hostname" 0\0binary'))).toBe(false);
  });
});

describe('descriptorRefs', () => {
  it('lists every quoted extent name and the parent hint, not ddb values', () => {
    const refs = descriptorRefs(
      vmdkDescriptor('/etc/hostname') +
        'RDONLY 100 SPARSE "second.vmdk"\nNOACCESS 5 ZERO\nparentFileNameHint="../base.vmdk"\n',
    );
    expect(refs.extents).toEqual(['/etc/hostname', 'second.vmdk']);
    expect(refs.parents).toEqual(['../base.vmdk']);
  });

  it('finds the parent hint where qemu does: anywhere, even in a comment', () => {
    expect(parentHints('# parentFileNameHint="/etc/passwd"\n')).toEqual(['/etc/passwd']);
    // qemu skips exactly `="`: with spaces around '=' it reads " " (a file named space), which
    // is checked like any other name; the lenient reading adds "b".
    expect(parentHints('xparentFileNameHint="a"parentFileNameHint = "b"')).toEqual(['a', ' ', 'b']);
    expect(descriptorRefs('# x\n#parentFileNameHint="/etc/shadow"').parents).toEqual([
      '/etc/shadow',
    ]);
  });

  it('counts oddly spaced or typed extent lines too (over-inclusive on purpose)', () => {
    expect(descriptorRefs('  RW   1  WEIRD  "a"  \nXX 1 FLAT "b" 0\r\n').extents).toEqual([
      'a',
      'b',
    ]);
  });
});
