"""Use cases: plain functions over the models, the state machine and the repository."""
