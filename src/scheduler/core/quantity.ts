/** Quantities for replica estimation: the shared parser in src/api. */
export { parseQuantity, quantityMilli, quantityValue } from '../../api/quantity.ts';
