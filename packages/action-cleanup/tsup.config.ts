import { actionConfig } from '../action-kit/tsup.action';

export default actionConfig();
