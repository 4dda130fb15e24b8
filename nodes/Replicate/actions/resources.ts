import * as account from './account/Account.resource';
import * as hardware from './hardware/Hardware.resource';

/** Every resource the node offers, with its operations. */
export const resources = { account, hardware };
