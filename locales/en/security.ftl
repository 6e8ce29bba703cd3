## Account security: password resets, API tokens, refused ID numbers

err-account-wider-rights = This account holds rights wider than you can grant (for example a province role). You cannot reset its password or change its roles; ask a province officer (a holder of a wider role) to do it.
err-pid-refusals-limit = Your account was refused too many times in one hour because the ID number is held by someone else. To protect personal data, new registrations are paused for an hour. If it is urgent, contact a province officer.
tokens-expiry-note = Each token expires after 90 days. Revoke at once a token that is no longer used or has leaked.
tokens-list = Tokens created
tokens-name-col = Token name
tokens-created = Created
tokens-last-used = Last used
tokens-expires = Expires
tokens-state = State
tokens-revoke = Revoke
tokens-never-used = Never used
tokens-revoked = Revoked
tokens-expired = Expired
audit-account-api_token_revoked = Revoked an API token
audit-person-pid_refused = Refused an ID number held by someone else
