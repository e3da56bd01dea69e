"""Who may see what: accounts (argon2 password hashes), roles and their scope, and the audit log."""
