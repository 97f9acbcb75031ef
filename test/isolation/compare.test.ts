/** allocsim compare with hostile model files: see attacks.ts. */
import { attackTests } from './attacks.ts';

attackTests('compare');
