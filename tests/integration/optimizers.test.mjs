// optimizers.test.mjs -- Capacity Optimizer routes (/capacity-optimizers).
// The shape and behaviour are the Capacity Provider's (reference §4.2), so
// this runs the shared suite (confsuite.mjs) with the CO label.

import { confSuite } from './confsuite.mjs';

confSuite('capacity-optimizers', 'Capacity Optimizer');
