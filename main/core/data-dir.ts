import os from 'node:os';
import path from 'node:path';

/**
 * Where serve mode and the CLI keep their state: $GENOS_DATA_DIR, else $XDG_DATA_HOME/genos,
 * else ~/.local/share/genos. The Electron app passes its userData dir instead.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENOS_DATA_DIR) return path.resolve(env.GENOS_DATA_DIR);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : null;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'share'), 'genos');
}
