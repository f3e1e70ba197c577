// providers.test.mjs -- Capacity Provider routes (/capacity-providers):
// the shared CP/CO suite (confsuite.mjs) with the CP label.

import { confSuite } from './confsuite.mjs';

confSuite('capacity-providers', 'Capacity Provider');
