import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage } from './client.ts';

describe('error messages', () => {
  it("put the request schema's wording in plain words, naming the field", () => {
    expect(errorMessage(new ApiError(400, 'invalid_field', 'nextResponseMinutes must be <= 525600', 'nextResponseMinutes'))).toBe('The next response minutes must be at most 525,600.');
    expect(errorMessage(new ApiError(400, 'invalid_field', 'key must match pattern "^[a-z0-9_-]{1,50}$"', 'key'))).toBe('The key is not in the expected form.');
    expect(errorMessage(new ApiError(400, 'invalid_field', 'password must NOT have fewer than 10 characters', 'password'))).toBe('The password needs at least 10 characters.');
  });

  it("keep the server's own sentences", () => {
    expect(errorMessage(new ApiError(409, 'conflict', 'a team with key "sales" exists', 'key'))).toBe('a team with key "sales" exists');
    expect(errorMessage(new ApiError(400, 'invalid_field', 'snoozedUntil must be in the future', 'snoozedUntil'))).toBe('snoozedUntil must be in the future');
  });
});
