import { z } from 'zod';

// zod probes `new Function('')` to decide whether to compile its parsers. The page's CSP has no
// 'unsafe-eval', so that probe is a CSP violation report; parse without the JIT instead.
z.config({ jitless: true });
