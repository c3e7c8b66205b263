"""A pytest plugin that runs MLflow's own live-server tests against `pulk server`, test bodies
unchanged: with PULK_BINARY set, the server fixtures' helpers (`ServerThread`, `_init_server`,
the artifact tests' `_launch_server`) start Pulk on the port the test chose instead of MLflow's
app. Without PULK_BINARY the plugin does nothing, so the same command measures MLflow's server.
Used by Benchmarks/mlflow-suite.sh."""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

PULK = os.environ.get("PULK_BINARY")


def _wait(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"pulk server did not listen on port {port} within {timeout} s")


@contextlib.contextmanager
def _pulk(port, artifacts_root=None):
    folder = tempfile.mkdtemp(prefix="pulk-suite-")
    workspace = os.path.join(folder, "workspace")
    cmd = [PULK, "server", "--workspace", workspace, "--port", str(port), "--allow-http-webhooks", "--allow-private-webhooks"]
    if artifacts_root:
        cmd += ["--artifacts-root", artifacts_root]
    log = open(os.path.join(folder, "server.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "LOG_LEVEL": "error"})
    try:
        try:
            _wait(port)
        except RuntimeError:
            log.flush()
            raise RuntimeError(open(os.path.join(folder, "server.log")).read()[-2000:])
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


class PulkServerThread:
    """Stands in for tests.tracking.integration_test_utils.ServerThread(app, port)."""

    def __init__(self, app, port):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._cm = None

    def __enter__(self):
        self._cm = _pulk(self.port)
        self._cm.__enter__()
        return self.url

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        return None


@contextlib.contextmanager
def pulk_init_server(backend_uri, root_artifact_uri, extra_env=None, app=None, server_type="fastapi"):
    import mlflow

    mlflow.set_tracking_uri(None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with _pulk(port):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def pulk_launch_server(host, port, backend_store_uri, default_artifact_root, artifacts_destination):
    path = artifacts_destination[len("file://"):] if artifacts_destination.startswith("file://") else artifacts_destination
    os.makedirs(path, exist_ok=True)
    with _pulk(port, artifacts_root=path) as proc:
        yield proc


REPLACEMENTS = {"ServerThread": PulkServerThread, "_init_server": pulk_init_server, "_launch_server": pulk_launch_server}


def _patch():
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "tests" or name.startswith("tests.") or name.startswith("test_")):
            continue
        for attr, replacement in REPLACEMENTS.items():
            if hasattr(module, attr):
                setattr(module, attr, replacement)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if PULK:
        _patch()


def pytest_report_header(config):
    return f"server under test: {'pulk (' + PULK + ')' if PULK else 'mlflow'}"
