"""Lambda entry point, on a schedule: remind donors before a claim's deadline, release lapsed claims."""

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger

from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services import leases
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = get_settings()
    report = asdict(leases.sweep(WishRepository(settings.wish_table_name), settings))
    logger.info("lease sweep done", extra=report)
    return report
