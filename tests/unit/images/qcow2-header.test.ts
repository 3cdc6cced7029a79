import { describe, expect, it } from 'vitest';
import { HeaderError, parseQcow2Header, tablesPastEnd } from '../../../main/images/qcow2-header.js';
import { qcow2Bytes } from './fixtures.js';

function parse(buf: Buffer) {
  return parseQcow2Header(buf, async (offset, length) => buf.subarray(offset, offset + length));
}

describe('parseQcow2Header', () => {
  it('reads size, backing file and external data file', async () => {
    const h = await parse(
      qcow2Bytes({ virtualSize: 5 * 2 ** 30, backing: '/etc/passwd', dataFile: 'data.raw' }),
    );
    expect(h).toMatchObject({
      version: 3,
      virtualSize: 5 * 2 ** 30,
      clusterBits: 16,
      backingFile: '/etc/passwd',
      dataFile: 'data.raw',
      externalDataBit: true,
      encrypted: false,
    });
  });

  it('sees the external-data bit without a name', async () => {
    const h = await parse(qcow2Bytes({ externalDataBit: true }));
    expect(h.externalDataBit).toBe(true);
    expect(h.dataFile).toBeNull();
  });

  it('reports tables past the end of a truncated file', async () => {
    const whole = qcow2Bytes();
    expect(tablesPastEnd(await parse(whole), whole.length)).toEqual([]);
    const cut = qcow2Bytes({ fileSize: 100_000 });
    expect(tablesPastEnd(await parse(cut), cut.length)).toEqual([
      'L1 table at 131072 (+8 bytes)',
      'refcount table at 65536 (+65536 bytes)',
    ]);
  });

  it('refuses headers that are cut short or out of range', async () => {
    await expect(parse(qcow2Bytes().subarray(0, 50))).rejects.toThrow(HeaderError);
    await expect(parse(qcow2Bytes().subarray(0, 90))).rejects.toThrow(/v3 header is cut short/);
    const badVersion = Buffer.from(qcow2Bytes());
    badVersion.writeUInt32BE(9, 4);
    await expect(parse(badVersion)).rejects.toThrow(/version 9/);
    const badCluster = Buffer.from(qcow2Bytes());
    badCluster.writeUInt32BE(40, 20);
    await expect(parse(badCluster)).rejects.toThrow(/cluster size/);
    const hugeName = Buffer.from(qcow2Bytes({ backing: 'x' }));
    hugeName.writeUInt32BE(5000, 16);
    await expect(parse(hugeName)).rejects.toThrow(/name length/);
    const overrun = Buffer.from(qcow2Bytes({ dataFile: 'd' }));
    overrun.writeUInt32BE(1_000_000, 108);
    await expect(parse(overrun)).rejects.toThrow(/overruns/);
  });
});
