"""The operator process: kopf settings, JSON logs and metrics (reconcilers are tested with kmock)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import kopf
import requests

from tenant_operator.config import OperatorConfig, apply_kopf_settings
from tenantry_kernel.testing import free_port

OPERATOR_DIR = Path(__file__).resolve().parents[1]


def test_kopf_settings_use_tenantry_finalizer_and_annotations() -> None:
    settings = kopf.OperatorSettings()

    apply_kopf_settings(settings)

    assert settings.persistence.finalizer == "tenantry.dev/finalizer"
    assert isinstance(settings.persistence.progress_storage, kopf.AnnotationsProgressStorage)
    assert settings.posting.reporting_component == "tenantry-operator"


def test_config_defaults_to_cluster_wide_with_peering(monkeypatch) -> None:
    for name in ("OPERATOR_NAMESPACE", "OPERATOR_PEERING", "OPERATOR_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)

    config = OperatorConfig.from_env()

    assert config.namespace_scope is None
    assert config.peering is True
    assert config.metrics_port == 9090


def test_operator_logs_json_and_serves_metrics_while_the_api_is_unreachable(tmp_path: Path) -> None:
    # Given a kubeconfig pointing at a closed port, the operator keeps running, logs its
    # trouble as JSON lines and still answers metrics scrapes.
    metrics_port = free_port()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{free_port()}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "OPERATOR_METRICS_PORT": str(metrics_port),
        "OPERATOR_LIVENESS_PORT": str(free_port()),
        "OPERATOR_PEERING": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tenant_operator"],
        cwd=OPERATOR_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        metrics = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and metrics is None:
            try:
                metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.2)
        time.sleep(1)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)

    assert metrics is not None
    assert metrics.status_code == 200
    assert b"python_info" in metrics.content
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert records, output
    assert all(record["service"] == "tenant-operator" for record in records)
    assert any(record["logger"].startswith("kopf") for record in records)
