"""One module per function's routes. `ALL` lists them for the OpenAPI document."""

ALL = (
    "submit",
    "review",
    "query",
    "regions",
    "meta",
    "claims",
    "fulfilment",
    "personal",
    "records",
    "uploads",
    "escalation",
    "inbox",
    "campaigns",
    "reports",
    "exports",
    "privacy",
    "photos",
    "units",
    "volunteers",
    "activities",
)
