import * as account from './account/Account.resource';
import * as hardware from './hardware/Hardware.resource';
import * as prediction from './prediction/Prediction.resource';

/** Every resource the node offers, with its operations. */
export const resources = { account, hardware, prediction };
