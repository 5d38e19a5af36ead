"""What a route needs, injected by Powertools (`Depends`): the caller, the repository, the settings.

A route declares them as parameters (`caller: CurrentCaller`); Powertools resolves them per request and
leaves them out of the OpenAPI document. An error a dependency raises (a bad token) arrives wrapped in
`DependencyResolutionError`; the resolver unwraps it, so it reaches our exception handlers as itself.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from ..auth import Caller
from ..repository import WishRepository
from ..settings import Settings
from . import context


def current_caller(request: Request) -> Caller:
    return context.request_caller(request.context, request.resolved_event.raw_event)


def current_repository() -> WishRepository:
    return context.repository()


def current_settings() -> Settings:
    return context.settings()


CurrentCaller = Annotated[Caller, Depends(current_caller)]
Repository = Annotated[WishRepository, Depends(current_repository)]
AppSettings = Annotated[Settings, Depends(current_settings)]
