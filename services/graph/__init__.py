"""Meta's Graph API, as the console uses it: one httpx client, typed results, typed errors."""
