from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestChecklist(MaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.env["service.contract"].create({
            "partner_id": cls.customer.id, "date_start": "2026-01-01", "user_id": cls.maint_engineer.id,
            "lot_ids": [Command.set((cls.lot | cls.lot2).ids)],
        })
        cls.contract.action_standard_periods()
        cls.contract.action_start()
        cls.shipped = (
            cls.env.ref("service_maintenance.checklist_template_equipment")
            | cls.env.ref("service_maintenance.checklist_template_cabling")
            | cls.env.ref("service_maintenance.checklist_template_functions")
        )

    def _checklists(self):
        action = self.contract.with_user(self.maint_engineer).action_new_checklists()
        return self.env["service.checklist"].search(action["domain"])

    def test_the_vendors_three_templates_check_every_unit(self):
        checklists = self._checklists()
        self.assertEqual(checklists.lot_id, self.lot | self.lot2, "one checklist per unit of the contract")
        checklist = checklists.filtered(lambda c: c.lot_id == self.lot)
        self.assertEqual(checklist.partner_id, self.customer)
        self.assertEqual(checklist.user_id, self.maint_engineer)
        self.assertEqual(set(checklist.result_ids.mapped("section")), {"equipment", "cabling", "functions"})
        self.assertEqual(len(checklist.result_ids), len(self.shipped.item_ids))
        self.assertEqual(self.contract.checklist_count, 2)

    def test_templates_follow_the_product_category(self):
        pumps = self.env["product.category"].create({"name": "Pumps"})
        infusion = self.env["product.category"].create({"name": "Infusion", "parent_id": pumps.id})
        cables = self.env["product.category"].create({"name": "Cables"})
        self.product.categ_id = infusion
        flow = self.env["service.checklist.template"].create({
            "name": "Flow accuracy", "categ_ids": [Command.set(pumps.ids)],
            "item_ids": [Command.create({"section": "functions", "name": "Flow within 5 %"})],
        })
        self.env["service.checklist.template"].create({
            "name": "Cable tester", "categ_ids": [Command.set(cables.ids)],
            "item_ids": [Command.create({"section": "cabling", "name": "Continuity"})],
        })
        checklist = self.env["service.checklist"].create({"lot_id": self.lot.id})
        names = checklist.result_ids.mapped("name")
        self.assertIn("Flow within 5 %", names, "a template of the parent category applies")
        self.assertNotIn("Continuity", names, "another category's template does not")
        self.assertEqual(len(checklist.result_ids), len(self.shipped.item_ids) + len(flow.item_ids))

    def test_results_pass_fail_na_with_note_and_photo_then_done(self):
        checklist = self._checklists()[0].with_user(self.maint_engineer)
        self.assertFalse(checklist.can_done)
        with self.assertRaises(UserError):
            checklist.action_done()
        photo = (  # a 1x1 PNG
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        )
        first, second, *rest = checklist.result_ids
        first.write({"result": "fail", "note": "Fan noisy", "photo": photo})
        second.result = "na"
        for line in rest:
            line.result = "pass"
        self.assertEqual((checklist.fail_count, checklist.open_count), (1, 0))
        checklist.action_done()
        self.assertEqual(checklist.state, "done")
        self.assertTrue(first.photo)
        with self.assertRaises(UserError):
            first.result = "pass"
        with self.assertRaises(AccessError):
            checklist.state = "draft"

    def test_a_failed_item_opens_a_service_request_for_the_unit_in_one_click(self):
        checklist = self._checklists().filtered(lambda c: c.lot_id == self.lot).with_user(self.maint_engineer)
        line = checklist.result_ids[0]
        with self.assertRaises(UserError):
            line.action_open_request()
        line.write({"result": "fail", "note": "Fan noisy"})
        self.assertTrue(line.can_open_request)
        action = line.action_open_request()
        request = line.request_id
        self.assertEqual(action["res_id"], request.id)
        self.assertEqual(request.lot_id, self.lot)
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.support_mode, "on_site")
        self.assertEqual(request.user_id, self.maint_engineer)
        self.assertIn("Fan noisy", request.description)
        self.assertIn(line.name, request.title)
        self.assertEqual(line.action_open_request()["res_id"], request.id,
                         "a second click opens the same one")
        self.assertEqual(self.env["service.request"].search_count([("lot_id", "=", self.lot.id)]), 1)

    def test_access_engineers_check_managers_configure(self):
        with self.assertRaises(AccessError):
            self.env["service.checklist.template"].with_user(self.maint_engineer).create({"name": "Mine"})
        self.env["service.checklist.template"].with_user(self.maint_manager).create({"name": "Ours"})
        with self.assertRaises(AccessError):
            self.env["service.checklist"].with_user(self.portal_user).search([])
        branch = self.env["res.company"].create({"name": "Branch Office"})
        lot = self.env["stock.lot"].create({"name": "BR-0009", "product_id": self.product.id,
                                            "company_id": branch.id})
        theirs = self.env["service.checklist"].create({"lot_id": lot.id, "company_id": branch.id})
        self.assertNotIn(theirs, self.env["service.checklist"].with_user(self.maint_engineer).search([]))
