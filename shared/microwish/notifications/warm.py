"""Create a notification function's AWS clients at init, not on its first record (as repository/warm.py).

Without a region (a unit test importing an entry point, a tool) it does nothing: each client is then
created on first use, as before.
"""

from __future__ import annotations

import os

from ..repository.warm import create_clients as create_table_client
from .channels import aws_client


def create_clients(*services: str) -> None:
    """The named services' clients: "dynamodb" is the repository's, the others channels.aws_client's.

    Only those the function's first record uses: a client created and never used would cost its init.
    """
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        for service in services:
            if service == "dynamodb":
                create_table_client()
            else:
                aws_client(service)
