"""Units, users, roles, spokesperson designation, passwords, API tokens and login."""
