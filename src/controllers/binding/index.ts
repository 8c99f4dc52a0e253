/** The binding controller's public face: the controller and its pure Work rendering. */
export { type BindingControllerOptions, newBindingController } from './controller.ts';
export { conflictResolution, isWorkload, type RenderInput, renderWork, targetClusters } from './work.ts';
