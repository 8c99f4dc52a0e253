/**
 * The client layer every Flotilla controller is built on: a generic REST client over a
 * client-node `KubeConfig`, resource refs for the kinds Flotilla uses, discovery, and a token
 * bucket. Controllers import from here, never from the API server or storage.
 */
export {
  Client,
  type ClientOptions,
  type DeleteOptions,
  type ListOptions,
  type ObjectKey,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './client.ts';
export { Discovery, type DiscoveryOptions } from './discovery.ts';
export { kubeConfigFromFile, kubeConfigFromUrl, type ServerConnection } from './kubeconfig.ts';
export { TokenBucket, type TokenBucketOptions } from './rate-limit.ts';
export { apiVersionOf, type PathOptions, type ResourceRef, resourcePath, resources } from './resources.ts';
export { type HttpRequest, statusToError, Transport, type TransportOptions } from './transport.ts';
