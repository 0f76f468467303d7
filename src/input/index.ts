export { checkInputFile, formatOf, readInput, type InputFileError, type InputFormat } from './read.js';
export { validateCustomer } from './validate.js';
export type { ConnectionInput, CustomerInput, InputProblem, InputRecord } from './types.js';
