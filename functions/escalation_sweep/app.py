"""Lambda entry point: the escalation sweep (microwish.services.escalation), on its schedule.

Returns the run's summary (moved, flagged, skipped, unchanged, pages, due, more); the local runtime
shows it from POST /dev/schedules/run. Stops itself before the Lambda timeout: what is still due
stays on the index for the next run (`more: true`).
"""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from microwish.clock import sweep_budget_seconds
from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services.escalation import sweep
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation
metrics = Metrics()


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = get_settings()
    budget = sweep_budget_seconds(context)
    summary = sweep(WishRepository(settings.wish_table_name), settings, budget_seconds=budget)
    for name, metric in (("moved", "WishesEscalated"), ("flagged", "WishesAtRisk"), ("skipped", "EscalationConflicts")):
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=summary[name])
    trigger = (event or {}).get("scheduled_time")
    logger.info("escalation sweep", extra={"summary": summary, "scheduled_time": trigger})
    return summary
