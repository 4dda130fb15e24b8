import * as account from './account/Account.resource';
import * as collection from './collection/Collection.resource';
import * as deployment from './deployment/Deployment.resource';
import * as file from './file/File.resource';
import * as hardware from './hardware/Hardware.resource';
import * as model from './model/Model.resource';
import * as modelVersion from './modelVersion/ModelVersion.resource';
import * as prediction from './prediction/Prediction.resource';
import * as training from './training/Training.resource';
import * as webhook from './webhook/Webhook.resource';

/** Every resource the node offers, with its operations. */
export const resources = {
	prediction,
	model,
	modelVersion,
	deployment,
	training,
	file,
	collection,
	hardware,
	webhook,
	account,
};
