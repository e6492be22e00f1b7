import { Type } from 'typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { DateTime, NullableDateTime, RoleSchema, Uuid } from '../../schemas.js';

/** The authenticated user as the auth routes describe it. */
export const CallerView = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
});

/** A user account without its password hash and login counters. */
export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  lockedUntil: NullableDateTime,
  createdAt: DateTime,
});

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 320 });

export const NewUserBody = Type.Object(
  {
    email: Email,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: RoleSchema,
    password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);

export const UserChangesBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    disabled: Type.Optional(Type.Boolean()),
    unlock: Type.Optional(
      Type.Literal(true, { description: 'Clear failed logins and an account lock.' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UserParams = Type.Object({ userId: Uuid }, { additionalProperties: false });
