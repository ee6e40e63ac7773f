"""Who may change what the product decides: one row per role, one test per
protected operation. Each cell runs in a savepoint that is rolled back, so
an allowed operation leaves nothing behind for the next cell; a refusal is an
access error or a user error raised by the server, never a form's readonly.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_billing import BillingCase

A, R = "allowed", "refused"
ROLES = ("portal", "sales", "repair", "finance", "manager", "other_company")


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestAccessMatrix(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="matrix_portal", groups="base.group_portal", name="Paula Portal",
            partner_id=cls.customer.id,
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other After-sales Co"})
        cls.other_user = new_test_user(
            cls.env, login="matrix_other", groups="service_warranty.group_aftersales_manager",
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)],
            name="Otto Other",
        )
        cls.users = {
            "portal": cls.portal_user,
            "sales": cls.sales_user,
            "repair": cls.repair_user,
            "finance": cls.finance_user,
            "manager": cls.manager,
            "other_company": cls.other_user,
        }
        cls.warranty.notes = "<p>Customer asked for a discount last year</p>"
        # Serials received in this company (the fixture's are shared between
        # companies, which another company's users may read as Odoo says).
        (cls.lot | cls.lot2).company_id = cls.company
        # An RMA of the unit (out of warranty: a repair at cost), received.
        Rma = cls.env["service.rma"]
        cls.rma = Rma.browse(Rma.with_user(cls.repair_user).scan("RMA-0001")["rma_id"])
        cls.rma.action_create_receipt()
        picking = cls.rma.receipt_picking_id
        picking.move_ids.picked = True
        picking.button_validate()
        cls.rma.sudo()._override_remedy("repair_at_cost", "Internal: customer dropped it, stay firm")
        cls.labels = cls.env.ref("service_warranty.action_report_service_label")
        cls.card = cls.env.ref("service_warranty.action_report_warranty_card")

    def _attempt(self, operation):
        try:
            with self.env.cr.savepoint():
                operation()
                self.env.flush_all()
                raise _Rollback
        except _Rollback:
            return A
        except (UserError, ValidationError):
            return R
        finally:
            self.env.invalidate_all()

    def _check_matrix(self, expected, operation):
        """``operation(env)`` as each role, against ``expected[role]``."""
        self.assertEqual(set(expected), set(ROLES))
        for role in ROLES:
            with self.subTest(role=role):
                env = self.env(user=self.users[role])
                self.assertEqual(self._attempt(lambda env=env: operation(env)), expected[role])

    # -- the verdict ----------------------------------------------------------

    def test_write_verdict_fields(self):
        everyone_refused = dict.fromkeys(ROLES, R)
        for values in ({"remedy": "repair", "covered": True}, {"policy_remedy": "repair"},
                       {"policy_covered": True}, {"policy_reason_code": "in_warranty"}):
            with self.subTest(values=values):
                self._check_matrix(everyone_refused, lambda env, v=values: self.rma.with_env(env).write(v))
        self.assertEqual(self.rma.remedy, "repair_at_cost")

    def test_write_override_directly(self):
        self._check_matrix(
            dict.fromkeys(ROLES, R),
            lambda env: self.rma.with_env(env).write({"remedy_override": "repair", "override_reason": "x"}),
        )
        self.assertEqual(self.rma.billing_state, "none")
        self.assertEqual(self.rma.remedy, "repair_at_cost")

    def test_override_action(self):
        def override(env):
            wizard = env["service.rma.override"].create(
                {"rma_id": self.rma.id, "remedy": "repair", "reason": "Goodwill"}
            )
            wizard.action_apply()
            self.assertEqual(self.rma.with_env(env).remedy, "repair")

        self._check_matrix(
            {"portal": R, "sales": R, "repair": R, "finance": R, "manager": A, "other_company": R}, override
        )

    def test_create_extension(self):
        def extend(env):
            env["service.warranty.extension"].create(
                {"warranty_id": self.warranty.id, "days": 1000, "reason": "x"}
            )

        self._check_matrix(
            {"portal": R, "sales": R, "repair": R, "finance": R, "manager": A, "other_company": R}, extend
        )

    # -- the certificate ------------------------------------------------------

    def test_write_issued_certificate_fields(self):
        self.assertEqual(self.warranty.state, "expired")
        for values in (
            {"date_delivery": date(2026, 6, 1)},
            {"date_sale": date(2026, 6, 1)},
            {"date_install": date(2026, 6, 1)},
            {"state": "active"},
            {"partner_id": self.other_customer.id},
            {"lot_id": self.lot2.id},
            {"policy_id": self.policy.copy().id},
            {"extension_ids": [Command.create({"days": 900, "reason": "x"})]},
        ):
            with self.subTest(values=values):
                self._check_matrix(
                    dict.fromkeys(ROLES, R), lambda env, v=values: self.warranty.with_env(env).write(v)
                )

    def test_correct_dates_and_transfer_actions(self):
        def correct(env):
            self.warranty.with_env(env).correct_dates({"date_delivery": date(2026, 6, 1)}, "Typo in import")
            self.assertEqual(self.warranty.state, "active")

        def transfer(env):
            self.warranty.with_env(env).transfer_owner(self.other_customer, "Resold")

        only_manager = {"portal": R, "sales": R, "repair": R, "finance": R, "manager": A, "other_company": R}
        self._check_matrix(only_manager, correct)
        self._check_matrix(only_manager, transfer)

    def test_record_installation(self):
        live = self.lot2.warranty_id
        live.sudo().correct_dates({"date_delivery": date(2026, 6, 1)}, "fixture")
        self.assertEqual(live.state, "active")
        self._check_matrix(
            {"portal": R, "sales": A, "repair": A, "finance": R, "manager": A, "other_company": R},
            lambda env: live.with_env(env).record_installation(date(2026, 6, 3)),
        )

    def test_void(self):
        def void(env):
            env["service.warranty.void"].create(
                {"warranty_ids": [Command.set(self.warranty.ids)], "reason": "Sold back"}
            ).action_void()

        self._check_matrix(
            {"portal": R, "sales": R, "repair": R, "finance": R, "manager": A, "other_company": R}, void
        )
        # The server method itself, as an integrator's code would call it:
        # the same rights, and a reason.
        self._check_matrix(
            {"portal": R, "sales": R, "repair": R, "finance": R, "manager": A, "other_company": R},
            lambda env: self.warranty.with_env(env)._void("Sold back"),
        )
        self.assertRaises(UserError, self.warranty.with_user(self.manager)._void, " ")

    # -- the RMA's state ------------------------------------------------------

    def test_write_rma_state_and_stamps(self):
        for values in ({"state": "done"}, {"state": "ready"}, {"date_returned": "2026-11-01 10:00:00"},
                       {"date_received": False}, {"repair_id": False}):
            with self.subTest(values=values):
                self._check_matrix(
                    dict.fromkeys(ROLES, R), lambda env, v=values: self.rma.with_env(env).write(v)
                )
        self.assertEqual(self.rma.state, "received")

    def test_write_loan_state(self):
        loan = self.env["service.loan"].with_user(self.repair_user).create(
            {"rma_id": self.rma.id, "lot_id": self.loaners[0].id}
        )
        self._check_matrix(
            dict.fromkeys(ROLES, R), lambda env: loan.with_env(env).write({"state": "returned"})
        )

    # -- reading ----------------------------------------------------------------

    def test_read_internal_fields(self):
        def read_notes(env):
            self.assertTrue(self.warranty.with_env(env).read(["notes"])[0]["notes"])

        def read_override(env):
            self.assertTrue(self.rma.with_env(env).read(["override_reason"])[0]["override_reason"])

        internal = {"portal": R, "sales": A, "repair": A, "finance": R, "manager": A, "other_company": R}
        self._check_matrix(internal, read_notes)
        self._check_matrix(internal, read_override)

    def test_portal_reads_its_own_customer_fields(self):
        """What the customer may read of their own RMA: the repair record."""
        rma = self.rma.with_user(self.portal_user)
        values = rma.read(["name", "state", "fault_description", "cause", "action_taken", "date_received",
                           "remedy", "amount_at_cost"])[0]
        self.assertEqual(values["state"], "received")

    def test_open_reports(self):
        def render(report, records):
            def run(env):
                html, _kind = env["ir.actions.report"]._render_qweb_html(report.report_name, records.ids)
                self.assertTrue(html)
            return run

        internal = {"portal": R, "sales": A, "repair": A, "finance": R, "manager": A, "other_company": R}
        self._check_matrix(internal, render(self.labels, self.lot | self.lot2))
        self._check_matrix(internal, render(self.card, self.warranty))

    # -- billing ----------------------------------------------------------------

    def test_bill(self):
        rma = self._repair("RMA-0002", [(self.part_valued, 1)], hours=1.0)
        self.assertEqual(rma.billing_state, "to_bill")

        def bill(env):
            result = rma.with_env(env).bill_at_cost()
            self.assertTrue(result["invoices"])

        self._check_matrix(
            {"portal": R, "sales": R, "repair": R, "finance": A, "manager": R, "other_company": R}, bill
        )
