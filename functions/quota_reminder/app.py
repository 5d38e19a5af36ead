"""Lambda entry point: the yearly activity quota's reminder (microwish.services.activities.remind), on its
schedule before the year ends. Each unit below quota and each superior federation unit is told once a year,
however often it runs; returns the run's summary (the local runtime shows it from POST /dev/schedules/run)."""

from typing import Any

from aws_lambda_powertools import Logger

from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services.activities import remind
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    settings = get_settings()
    summary = remind(WishRepository(settings.wish_table_name), settings).as_dict()
    logger.info("quota reminder", extra={"summary": summary, "scheduled_time": (event or {}).get("scheduled_time")})
    return summary
