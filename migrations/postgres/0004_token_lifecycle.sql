-- Tokens that expire (token create --expires 90d); revoked_at is set by token revoke.
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
