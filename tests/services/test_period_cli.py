"""`survey-api periods …` as an operator uses it: compute and print the ranking, verify, export, publish."""

from __future__ import annotations

from openpyxl import load_workbook

from ..period_support import make_period
from .test_cli import run


def test_compute_verify_export_and_publish_from_the_command_line(app, db_session, tmp_path):
    period = make_period({"K1": {"performance": 100}, "K2": {"adjustments": [("veto", 0, "事故")]}})
    listed = run(app, "periods", "list")
    assert period.title in listed.output
    computed = run(app, "periods", "compute", str(period.id))
    assert computed.exit_code == 0 and "revision 1" in computed.output
    assert "K1" in computed.output and "96.00" in computed.output
    assert run(app, "periods", "verify", str(period.id), "1").output.strip().endswith("identical")
    target = tmp_path / "ranking.xlsx"
    assert run(app, "periods", "export", str(period.id), str(target)).exit_code == 0
    rows = list(load_workbook(target)["排名"].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["K1", "K2"]
    assert run(app, "periods", "export", str(period.id), str(tmp_path / "x.doc")).exit_code == 2
    published = run(app, "periods", "publish", str(period.id), "1")
    assert published.exit_code == 0
    locked = run(app, "periods", "compute", str(period.id))
    assert locked.exit_code == 1 and "period.locked" in locked.output
