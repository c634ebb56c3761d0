"""Meta's webhooks: verified, stored raw before they are answered, then applied to the one health model."""
