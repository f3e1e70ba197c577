// optimizers.test.mjs -- Capacity Optimizer routes (/capacity-optimizers).
// The shape and behaviour are the Capacity Provider's (reference §4.2), so
// this runs the shared suite from providers.test.mjs with the CO label.

import { confSuite } from './providers.test.mjs';

confSuite('capacity-optimizers', 'Capacity Optimizer');
