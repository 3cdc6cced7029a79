import type Database from 'better-sqlite3';
import { checkId, mapConstraint, newId } from './sql-util.js';

/** Detected once at import and recorded; every later use passes it explicitly (-f / format=). */
export type ImageFormat = 'qcow2' | 'raw' | 'vdi' | 'vhdx' | 'vmdk' | 'iso';

export type ImageRecord = {
  id: string;
  name: string;
  path: string;
  format: ImageFormat;
  virtualSize: number;
  actualSize: number;
  /** Where it came from: a URL, the dropped file's original path, or a catalog id. */
  source: string | null;
  sha256: string | null;
  createdAt: string;
};

export type NewImage = Omit<ImageRecord, 'id' | 'createdAt' | 'source' | 'sha256'> & {
  id?: string;
  source?: string | null;
  sha256?: string | null;
};

type Row = {
  id: string;
  name: string;
  path: string;
  format: ImageFormat;
  virtual_size: number;
  actual_size: number;
  source: string | null;
  sha256: string | null;
  created_at: string;
};

const COLS = 'id, name, path, format, virtual_size, actual_size, source, sha256, created_at';

function toImage(r: Row): ImageRecord {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    format: r.format,
    virtualSize: r.virtual_size,
    actualSize: r.actual_size,
    source: r.source,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}

export function imagesRepo(db: Database.Database, now: () => string) {
  const insert = db.prepare(
    `INSERT INTO images (${COLS}) VALUES (@id, @name, @path, @format, @virtualSize, @actualSize,
       @source, @sha256, @createdAt)`,
  );
  const get = db.prepare<[string], Row>(`SELECT ${COLS} FROM images WHERE id = ?`);
  const list = db.prepare<[], Row>(`SELECT ${COLS} FROM images ORDER BY created_at DESC, id`);
  const del = db.prepare<[string]>('DELETE FROM images WHERE id = ?');

  return {
    insertImage(img: NewImage): ImageRecord {
      const rec: ImageRecord = {
        id: checkId(img.id ?? newId(), 'image'),
        name: img.name,
        path: img.path,
        format: img.format,
        virtualSize: img.virtualSize,
        actualSize: img.actualSize,
        source: img.source ?? null,
        sha256: img.sha256 ?? null,
        createdAt: now(),
      };
      mapConstraint(() => insert.run(rec), {
        primaryKey: `An image with id "${rec.id}" already exists.`,
        unique: `The image file ${rec.path} is already in the library.`,
      });
      return rec;
    },

    getImage(id: string): ImageRecord | undefined {
      const row = get.get(id);
      return row && toImage(row);
    },

    /** Newest first. The library is small (tens of images), so no pagination. */
    listImages(): ImageRecord[] {
      return list.all().map(toImage);
    },

    /** Removes the row only; deleting the file is the image service's job. */
    deleteImage(id: string): boolean {
      return del.run(id).changes > 0;
    },
  };
}

export type ImagesRepo = ReturnType<typeof imagesRepo>;
