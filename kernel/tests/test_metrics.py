"""Metric labels stay bounded whatever the clients send."""

from prometheus_client import REGISTRY

from tenantry_kernel import metrics


def test_unknown_methods_collapse_into_one_label() -> None:
    assert metrics.method_label("get") == "GET"
    assert metrics.method_label("PROPFIND") == "other"
    assert metrics.method_label(None) == "other"


def test_observe_request_records_count_duration_and_queries() -> None:
    labels = {"route": "/unit/<int:pk>/", "method": "PUT", "status": "204"}
    before = REGISTRY.get_sample_value("tenantry_http_requests_total", labels) or 0

    metrics.observe_request("/unit/<int:pk>/", "put", 204, 0.02, db_queries=3)

    assert REGISTRY.get_sample_value("tenantry_http_requests_total", labels) == before + 1
    assert (
        REGISTRY.get_sample_value("tenantry_http_request_duration_seconds_bucket", {**labels, "le": "0.025"}) or 0
    ) >= 1
    queries = REGISTRY.get_sample_value(
        "tenantry_http_request_db_queries_sum", {"route": "/unit/<int:pk>/", "method": "PUT"}
    )
    assert (queries or 0) >= 3


def test_exposition_is_prometheus_text() -> None:
    body, content_type = metrics.exposition()

    assert content_type.startswith("text/plain")
    assert b"# TYPE tenantry_http_request_duration_seconds histogram" in body
