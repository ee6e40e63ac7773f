"""Upgrading a database made with the previous version keeps every loan.

service_rma 19.0.1.2.0 renames the loans' model (``service.loaner`` →
``service.loan``) and the RMA's verdict fields. This test installs the
add-ons as they were at ``PREVIOUS`` (taken from this repository's history
with ``git archive``) in a fresh database, makes loans in each state, with
chatter and followers, and an overridden RMA, then upgrades that database
with the add-ons of this checkout (``odoo -u``) and compares.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from odoo_server import ROOT, devlib, unique_name

# The last commit of service_rma 19.0.1.1.0, before the rename.
PREVIOUS = "4c6d0e5f3fb96c845d88e2227e502c12524c87d6"
SCRIPTS = Path(__file__).resolve().parent / "migration"


def _previous_addons(target: Path) -> Path:
    archive = target / "previous.tar"
    done = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", f"--output={archive}", PREVIOUS,
         "addons/service_warranty", "addons/service_rma"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, (
        f"the previous version {PREVIOUS[:10]} is not in this clone's history "
        f"(a shallow clone?): {done.stderr.strip()}"
    )
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / "addons"


def _with_addons(args: list[str], addons: Path, odoo_dirs: list[Path]) -> list[str]:
    path = ",".join(str(d) for d in [*odoo_dirs, addons])
    return [f"--addons-path={path}" if arg.startswith("--addons-path=") else arg for arg in args]


def _shell(command: list[str], args: list[str], script: Path) -> dict[str, object]:
    done = subprocess.run([*command, "shell", *args, "--no-http", "--log-level=warn"],
                          input=script.read_text(), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1])
             for line in done.stdout.splitlines() if line.startswith(("STATE ", "CHECKS "))}
    assert "STATE" in lines, f"{script.name} printed no STATE:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return lines


def test_upgrade_from_previous_version_keeps_every_loan(tmp_path):
    try:
        command, odoo_dirs = devlib.find_odoo()
    except devlib.OdooNotFound as error:
        pytest.skip(f"Odoo 19 not found: {error}")
    previous = _previous_addons(tmp_path)
    assert "19.0.1.1.0" in (previous / "service_rma" / "__manifest__.py").read_text()
    database = unique_name("aftersales_upgrade")
    log = tmp_path / "odoo.log"
    args = devlib.odoo_args(database, odoo_dirs, devlib.free_port())
    old_args = _with_addons(args, previous, odoo_dirs)
    try:
        devlib.drop_database(database)
        devlib.install_modules(command, old_args, "service_rma", log, timeout=900)
        before = _shell(command, old_args, SCRIPTS / "before_19_0_1_2_0.py")["STATE"]
        assert [loan["state"] for loan in before["loans"]] == ["draft", "out", "returned"]
        overridden = before["rmas"][0]
        assert (overridden["override"], overridden["policy_remedy"]) == ("repair", "repair_at_cost")

        with log.open("a") as out:
            upgrade = subprocess.run(
                [*command, *args, "-u", "service_rma", "--stop-after-init", "--log-level=warn"],
                stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False,
            )
        assert upgrade.returncode == 0, log.read_text(errors="replace")[-3000:]
        errors = [line for line in log.read_text(errors="replace").splitlines()
                  if " ERROR " in line or " CRITICAL " in line]
        assert not errors, "\n".join(errors[:20])

        after = _shell(command, args, SCRIPTS / "after_19_0_1_2_0.py")
        state = after["STATE"]
        for kind in ("loans", "rmas"):
            for old, new in zip(before[kind], state[kind], strict=True):
                changed = {key: (old[key], new[key]) for key in old if old[key] != new[key]}
                assert not changed, f"{kind} #{old['id']} reads differently after the upgrade: {changed}"
        checks = after["CHECKS"]
        assert checks["old_table_gone"] and checks["new_table"] and checks["old_model_left"] == 0, checks
        assert checks["handed_over_after_upgrade"] == "out", "a loan made before the upgrade still moves on"
        assert checks["links"] == [loan["id"] for loan in before["loans"]], "moves still link to their loans"
        assert any("one more week" in body for body in checks["chatter"]), checks["chatter"]
    finally:
        devlib.drop_database(database)
