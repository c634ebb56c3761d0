"""Who may do what: console accounts, sign-in tokens, roles, the audit trail, and the token vault.

Owns the actors and their rights, every audit row, and the encryption of secrets at rest (with key
rotation). Imports only `services.settings` and `services.store`; every other domain may import it.
"""
