"""Erasure, retention and the access log on the local runtime (`make run`), over HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

WISH = {
    "title": "一台电视机",
    "description": "罹患癌症在家休养，想看看外面的世界",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "target_fen": 150_000,
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
}


def test_erasure_retention_and_the_access_log_on_the_runtime(runtime):
    resident = runtime.token("resident", "e2e-pipl-resident")
    officer = runtime.token("officer", "e2e-pipl-officer", region="431222")
    admin = runtime.token("admin", "e2e-pipl-admin", region="4312")
    ids = []
    for _ in range(2):
        created = runtime.post("/wishes", json=WISH, token=resident)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    asked, ended = ids
    assert runtime.get(f"/wishes/{asked}", token=officer).json()["beneficiary"]["name"] == "谢桂云"
    log = runtime.get(f"/wishes/{asked}/access-log", token=admin).json()["items"]
    assert [(e["actor"], e["route"]) for e in log] == [("e2e-pipl-officer", "GET /wishes/{id}")]

    erased = runtime.post(f"/wishes/{asked}/erasure", json={"reason": "本人申请"}, token=resident)
    assert erased.status_code == 200, erased.text
    assert erased.json()["beneficiary"] is None and erased.json()["personal_data_erased"] is True

    rejected = runtime.post(
        f"/wishes/{ended}/review", json={"decision": "reject", "reason": "不符合条件"}, token=officer
    )
    assert rejected.status_code == 200, rejected.text
    try:
        runtime.post("/dev/clock", json={"advance": "P366D"})
        runs = runtime.post("/dev/schedules/run").json()["runs"]
        [retention] = [run for run in runs if run["function"] == "RetentionSweepFunction"]
        assert retention["ok"] and retention["result"]["erased"] >= 1
    finally:
        runtime.post("/dev/clock", json={"reset": True})
    view = runtime.get(f"/wishes/{ended}", token=officer).json()
    assert view["beneficiary"] is None and view["personal_data_erased"] is True and view["status"] == "rejected"
