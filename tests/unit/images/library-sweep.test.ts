import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/api/event-bus.js';
import { Audit } from '../../../main/core/audit.js';
import { TaskManager } from '../../../main/core/tasks.js';
import { ImageLibraryService } from '../../../main/images/image-library.js';
import { openStore } from '../../../main/store/store.js';
import { tempDataDir } from '../../helpers/store-temp.js';

/**
 * What a crash mid-import or mid-conversion leaves in the library, at each moment it can strike:
 * the copy in progress, a conversion's work dir, and a finished file whose record was never
 * written. All go at start-up; recorded images and files the library did not write stay.
 */
describe('the library sweep at start-up', () => {
  const tmp = tempDataDir('genos-sweep-');
  afterEach(() => tmp.cleanup());

  it('removes what an interrupted import or conversion left, and only that', () => {
    const store = openStore(tmp.dir);
    const bus = new EventBus();
    const audit = new Audit(store, bus);
    const library = new ImageLibraryService(tmp.dir, { store, audit, tasks: new TaskManager(bus) });
    const dir = library.library().dir;
    const touch = (name: string) => fs.writeFileSync(path.join(dir, name), 'x');
    touch('0123456789ab.partial');
    fs.mkdirSync(path.join(dir, '.genos-convert-1a2b3c4d'));
    touch('.genos-convert-1a2b3c4d/out.qcow2');
    touch('ba9876543210.qcow2'); // linked, then the crash came before the record
    touch('converted-raw.img');
    touch('converted-raw.img.sha256');
    touch('kept.qcow2');
    touch('kept.qcow2.sha256');
    touch('notes.txt');
    store.insertImage({
      name: 'kept',
      path: path.join(dir, 'kept.qcow2'),
      format: 'qcow2',
      virtualSize: 1,
      actualSize: 1,
    });

    const removed = library.sweepInterrupted('test');
    expect(removed.sort()).toEqual(
      [
        '.genos-convert-1a2b3c4d',
        '0123456789ab.partial',
        'ba9876543210.qcow2',
        'converted-raw.img',
        'converted-raw.img.sha256',
      ].sort(),
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['kept.qcow2', 'kept.qcow2.sha256', 'notes.txt']);
    const events = store
      .listEvents({ limit: 10 })
      .items.filter((e) => e.action === 'image.cleanup');
    expect(events).toHaveLength(1);
    expect(library.sweepInterrupted('test')).toEqual([]);
    store.close();
  });
});
