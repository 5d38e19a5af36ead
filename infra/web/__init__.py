"""The web app's build helpers: the OpenAPI document for its types, serving and hosting settings."""
