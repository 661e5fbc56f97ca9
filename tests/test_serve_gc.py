"""``partner-gateway serve`` freezes what it has built before it serves (``gc.freeze``): the collections that
requests set off do not walk the modules, the schema and the configuration again and again."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from gateway import cli


def test_serve_freezes_what_it_built_before_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "data"}"\n')
    frozen_when_served: list[int] = []

    def run(app: Any, **options: Any) -> None:
        frozen_when_served.append(gc.get_freeze_count())

    monkeypatch.setattr("uvicorn.run", run)  # the serve command imports uvicorn when it serves
    gc.unfreeze()
    try:
        assert cli.main(["serve", "--config", str(config), "--port", "1"]) == 0
    finally:
        gc.unfreeze()  # this test process goes on collecting as before
    [frozen] = frozen_when_served
    assert frozen > 10_000  # every object the start made, not a handful
