"""Micro-Wish (微心愿): the domain every function shares, shipped as a Lambda layer.

Layers, top to bottom: `api` (HTTP adapter on Powertools) → `services` (plain functions over the
pydantic models of `models`, following the state machine of `lifecycle`) → `repository` (every
AWS call to the wish table). Time comes from `clock`, configuration from `settings`.
"""
