import type { Server } from 'node:http';
import { GenosError } from '../core/errors.js';

/** Listen, turning the usual failures into errors that say what to do. */
export function listen(server: Server, target: { host: string; port: number } | { path: string }) {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const where = 'path' in target ? target.path : `${target.host}:${target.port}`;
      if (err.code === 'EADDRINUSE') {
        const hint =
          'path' in target
            ? 'Another GenOS may own this data dir.'
            : 'Choose another with --port (0 picks a free one), or stop what is using it.';
        reject(new GenosError('CONFLICT', `${where} is already in use. ${hint}`));
      } else if (err.code === 'EACCES') {
        reject(
          new GenosError('FORBIDDEN', `Not allowed to listen on ${where}. Use a port above 1024.`),
        );
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(new GenosError('BAD_ARGS', `${where} is not an address of this machine.`));
      } else {
        reject(err);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if ('path' in target) server.listen(target.path);
    else server.listen(target.port, target.host);
  });
}
