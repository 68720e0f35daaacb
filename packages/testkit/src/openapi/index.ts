// The machinery shared by the forge API doubles: match, validate, record, answer.
export { startOpenApiDouble, loadOpenApiBackend, createOperationMatcher } from './double.js';
export type {
  OpenApiDouble,
  OpenApiDoubleOptions,
  RecordedRequest,
  Violation,
  Reply,
  Handler,
  HandlerContext,
  InjectedFailure,
} from './double.js';
