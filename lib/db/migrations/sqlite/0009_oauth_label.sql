-- How a linked sign-in identity is shown in settings and in the emails
-- about it: the provider login (GitHub), else the email the provider gave,
-- else its user id (lib/oauth/provider.ts, ProviderIdentity.label). Taken
-- when the link is made and not kept in step with the provider afterwards:
-- it is a reminder for the owner, never used to decide anything. NULL for
-- links made before this migration.
ALTER TABLE oauth_accounts ADD COLUMN label TEXT;
