"""Message templates: their status and quality, history as changes, polling, webhooks, and the screens' reads."""
