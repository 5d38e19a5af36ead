"""The HTTP adapter: Powertools resolvers, problem+json errors, idempotency, the caller."""
