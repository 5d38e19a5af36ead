"""Lambda entry point: the retention sweep (microwish.services.erasure), on its schedule.

Erases the private parts of wishes that ended RetentionDays ago. Returns the run's summary (erased,
already, skipped, due, pages, more); the local runtime shows it from POST /dev/schedules/run. Stops
itself before the Lambda timeout: what is still due stays on the index for the next run (`more: true`).
"""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from microwish.clock import sweep_budget_seconds
from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services.erasure import sweep
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation
metrics = Metrics()


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = get_settings()
    budget = sweep_budget_seconds(context)
    summary = sweep(WishRepository(settings.wish_table_name), settings, budget_seconds=budget).as_dict()
    metrics.add_metric(name="PersonalDataErased", unit=MetricUnit.Count, value=summary["erased"])
    logger.info("retention sweep", extra={"summary": summary, "scheduled_time": (event or {}).get("scheduled_time")})
    return summary
