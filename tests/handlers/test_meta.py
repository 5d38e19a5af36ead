"""Regions, health, the OpenAPI document and the Swagger UI."""

from __future__ import annotations


def test_regions_cascade_from_the_provinces_to_villages(api):
    provinces = api.get("/regions").json["items"]
    assert {"code": "43", "name": "湖南省", "level": "province", "demo": False} in provinces
    counties = api.get("/regions", query={"parent": "431200"}).json["items"]
    assert len(counties) == 13 and counties[0]["level"] == "county"
    villages = api.get("/regions", query={"parent": "431222250"}).json["items"]
    assert any(village["name"] == "王家村" and village["demo"] for village in villages)
    bad = api.get("/regions", query={"parent": "43x"})
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "parent"


def test_health(api):
    reply = api.get("/health")
    assert reply.status == 200 and reply.json["status"] == "ok"


def test_openapi_documents_every_route_of_the_template(api, stack):
    document = api.get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    served = {(route.method, route.path) for route in stack.routes}
    meta = {("GET", "/openapi.json"), ("GET", "/docs")}
    assert served - meta == documented
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_swagger_ui_is_served_offline(api):
    reply = api.get("/docs")
    assert reply.status == 200 and "swagger" in reply.text.lower()
    assert "cdn.jsdelivr" not in reply.text
