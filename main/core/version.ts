import pkg from '../../package.json' with { type: 'json' };

export const GENOS_VERSION: string = pkg.version;
