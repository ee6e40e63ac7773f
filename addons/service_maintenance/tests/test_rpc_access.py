"""Maintenance's risky operations through real JSON-RPC: what a contract
grants, who was told of an advisory and when they acknowledged it change only
through the actions, whoever calls."""

from odoo import Command
from odoo.addons.service_rma.tests.common import RpcCase
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestMaintenanceRpcAccess(RpcCase, MaintenanceCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.env["service.contract"].with_user(cls.maint_manager).create({
            "partner_id": cls.customer.id, "date_start": "2026-01-01", "user_id": cls.maint_engineer.id,
            "lot_ids": [Command.set(cls.lot.ids)],
        })
        cls.contract.action_standard_periods()
        cls.contract.action_start()
        cls.other_contract = cls.env["service.contract"].with_user(cls.maint_manager).create({
            "partner_id": cls.owner_cn.id, "date_start": "2026-01-01",
            "lot_ids": [Command.set(cls.cn_lots.ids)],
        })
        cls.other_contract.action_standard_periods()
        cls.other_contract.action_start()
        cls.advisory = cls.env["service.advisory"].with_user(cls.maint_manager).create({
            "title": "Battery may overheat", "product_id": cls.product.id,
            "description": "<p>We replace the battery free of charge.</p>",
        })
        cls.advisory.action_publish()
        cls.advisory.action_notify_owners()
        cls.notice = cls.advisory.notice_ids.filtered(lambda notice: notice.partner_id == cls.customer)
        cls.other_notice = cls.advisory.notice_ids.filtered(lambda notice: notice.partner_id == cls.owner_cn)
        cls.portal_user = new_test_user(
            cls.env, login="mnt_portal", groups="base.group_portal", partner_id=cls.customer.id,
        )

    def test_nobody_rewrites_what_a_running_contract_grants(self):
        period = self.contract.period_ids.filtered(lambda period: period.level == "maintenance")
        for login in ("mnt_manager", "mnt_engineer"):
            with self.subTest(login=login):
                self._refused(login, "service.contract", "write", [self.contract.id], {"state": "draft"})
                self._refused(login, "service.contract.period", "write", [period.id], {"level": "warranty"})
        self.contract.invalidate_recordset()
        period.invalidate_recordset()
        self.assertEqual(self.contract.state, "running")
        self.assertEqual(period.level, "maintenance")

    def test_engineers_cannot_cancel_a_contract_managers_do_it_through_the_action(self):
        self._refused("mnt_engineer", "service.contract", "action_cancel", [self.contract.id])
        self.contract.invalidate_recordset()
        self.assertEqual(self.contract.state, "running")
        self._call("mnt_manager", "service.contract", "action_cancel", [self.contract.id])
        self.contract.invalidate_recordset()
        self.assertEqual(self.contract.state, "cancel")

    def test_nobody_forges_who_was_told_or_when_they_acknowledged(self):
        for login, values in (
            ("mnt_engineer", {"date_acknowledged": "2026-01-02 10:00:00"}),
            ("mnt_manager", {"partner_id": self.owner_other_product.id}),
            ("mnt_manager", {"emailed": False}),
        ):
            with self.subTest(login=login, values=values):
                self._refused(login, "service.advisory.notice", "write", [self.notice.id], values)
        self._refused("mnt_manager", "service.advisory", "write", [self.advisory.id], {"notified_count": 0})
        self.notice.invalidate_recordset()
        self.assertFalse(self.notice.date_acknowledged)
        self.assertEqual(self.notice.partner_id, self.customer)
        self._call("mnt_engineer", "service.advisory.notice", "action_acknowledge", [self.notice.id])
        self.notice.invalidate_recordset()
        self.assertTrue(self.notice.date_acknowledged)

    def test_engineers_cannot_notify_owners(self):
        notified = self.advisory.notified_count
        self._refused("mnt_engineer", "service.advisory", "action_notify_owners", [self.advisory.id])
        self.advisory.invalidate_recordset()
        self.assertEqual(self.advisory.notified_count, notified)

    def test_portal_customers_read_only_their_own(self):
        values = self._call("mnt_portal", "service.contract", "read", [self.contract.id], ["name", "state"])
        self.assertEqual(values[0]["state"], "running")
        self._refused("mnt_portal", "service.contract", "read", [self.other_contract.id], ["name"])
        self._refused("mnt_portal", "service.advisory.notice", "read", [self.other_notice.id], ["partner_id"])
        self._refused("mnt_portal", "service.contract", "write", [self.contract.id], {"notes": "<p>x</p>"})
        self._refused("mnt_portal", "service.advisory.notice", "write", [self.notice.id],
                      {"date_acknowledged": "2026-01-02 10:00:00"})
