import { Type } from '@sinclair/typebox';

// Moments: open, converse, route, hand off (written by the lead).
export const MomentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
