// `node --import allocsim/register ...`: registers the TypeScript loader allocsim runs on (tsx), so a
// student project can run its TypeScript tests with Node's own test runner without installing tsx.
import { register } from 'tsx/esm/api';

register();
