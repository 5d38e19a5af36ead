"""The HTTP adapter: Powertools resolvers, problem+json errors, idempotency, the caller."""

from ..lazy_packages import defer_init

# Before anything imports them: the HTTP resolver without every other resolver and event class (lazy_packages).
defer_init("aws_lambda_powertools.event_handler")
defer_init("aws_lambda_powertools.utilities.data_classes")
