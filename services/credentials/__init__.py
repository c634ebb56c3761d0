"""API credentials: a checked token for a chosen WhatsApp Business Account and phone number.

Owns discovery (step 1 of the flow), storing and replacing tokens, re-validation and the views of
stored credentials. May import `services.access`, `services.health`, `services.graph` and
`services.store`. `python -m services.credentials rotate-key` re-encrypts every stored token.
"""
