from datetime import date

from freezegun import freeze_time
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..coverage import AT_COST, FREE, Period, coverage_on, standard_periods
from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestContract(MaintenanceCase):
    def _contract(self, user=None, **values):
        Contract = self.env["service.contract"].with_user(user or self.maint_manager)
        contract = Contract.create({
            "partner_id": self.customer.id, "date_start": "2026-01-01", "user_id": self.maint_engineer.id,
            "lot_ids": [Command.set((self.lot | self.lot2).ids)], **values,
        })
        return contract

    def test_the_vendors_terms_free_then_parts_at_cost_then_at_cost(self):
        periods = standard_periods(date(2026, 1, 1))
        self.assertEqual(periods, [
            Period("warranty", date(2026, 1, 1), date(2026, 12, 31)),
            Period("maintenance", date(2027, 1, 1), date(2029, 12, 31)),
            Period("lifetime", date(2030, 1, 1), None),
        ])
        warranty = coverage_on(periods, date(2026, 6, 1))
        self.assertTrue(warranty.free)
        maintenance = coverage_on(periods, date(2027, 1, 1))
        self.assertEqual((maintenance.labour, maintenance.visit, maintenance.parts), (FREE, FREE, AT_COST))
        lifetime = coverage_on(periods, date(2045, 1, 1))
        self.assertEqual((lifetime.labour, lifetime.visit, lifetime.parts), (AT_COST, AT_COST, AT_COST))
        self.assertIsNone(coverage_on(periods, date(2025, 12, 31)))
        self.assertEqual(standard_periods(date(2028, 2, 29))[0].date_to, date(2029, 2, 27))

    def test_a_unit_under_a_running_contract_is_covered_by_its_period(self):
        contract = self._contract()
        contract.action_standard_periods()
        self.assertFalse(contract.date_end, "lifetime service has no end")
        Contract = self.env["service.contract"]
        self.assertEqual(Contract._coverage_for_lot(self.lot, "2027-03-01"), (None, Contract),
                         "a draft contract covers nothing")
        contract.action_start()
        self.assertEqual(contract.state, "running")
        coverage, found = Contract._coverage_for_lot(self.lot, "2027-03-01")
        self.assertEqual((coverage.level, coverage.parts, coverage.labour), ("maintenance", AT_COST, FREE))
        self.assertEqual(found, contract)
        self.assertEqual(Contract._coverage_for_lot(self.lot2, "2040-01-01")[0].level, "lifetime")
        self.assertIsNone(Contract._coverage_for_lot(self.cn_lots, "2027-03-01")[0], "not under contract")
        self.assertEqual(contract.with_context(date="2026-05-01").coverage_level, "warranty")
        with self.assertRaises(UserError):
            contract.period_ids[0].level = "lifetime"

    def test_states_move_through_the_actions(self):
        contract = self._contract(date_end="2026-12-31", period_ids=[
            Command.create({"level": "maintenance", "date_from": "2026-01-01", "date_to": "2026-12-31"}),
        ])
        with self.assertRaises(AccessError):
            contract.state = "running"
        self.assertFalse(contract.with_user(self.maint_engineer).can_start)
        with self.assertRaises(UserError):
            contract.with_user(self.maint_engineer).action_start()
        contract.action_start()
        self.assertFalse(contract.can_expire, "it has not ended yet")
        with self.assertRaises(UserError):
            contract.unlink()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancel")
        self.assertTrue(contract.date_cancelled)
        with self.assertRaises(UserError):
            contract.action_start()

    def test_a_contract_needs_units_periods_in_its_dates_and_no_overlap(self):
        with self.assertRaises(UserError):
            self._contract(lot_ids=[]).action_start()
        with self.assertRaises(ValidationError):
            self._contract(date_end="2026-06-30", period_ids=[
                Command.create({"level": "warranty", "date_from": "2026-01-01", "date_to": "2026-12-31"}),
            ])
        with self.assertRaises(ValidationError):
            self._contract(period_ids=[
                Command.create({"level": "warranty", "date_from": "2026-01-01", "date_to": "2026-06-30"}),
                Command.create({"level": "maintenance", "date_from": "2026-06-01", "date_to": "2027-06-30"}),
            ])

    def test_units_of_another_customer_cannot_be_covered(self):
        contract = self._contract(lot_ids=[Command.set(self.cn_lots.ids)])
        contract.action_standard_periods()
        with self.assertRaises(ValidationError):
            contract.action_start()

    def test_the_units_a_sale_order_delivered_are_added(self):
        order, picking = self._deliver(self.product, ["SO-0001", "SO-0002"])
        # Reading the orders takes a salesperson's rights besides the manager's.
        seller = new_test_user(self.env, login="mnt_seller", name="Sam Seller", groups=(
            "service_maintenance.group_maintenance_manager,sales_team.group_sale_salesman_all_leads"
        ))
        contract = self._contract(user=seller, lot_ids=[], sale_order_ids=[Command.set(order.ids)])
        contract.action_add_delivered_units()
        self.assertEqual(contract.lot_ids, picking.move_line_ids.lot_id)
        self.assertEqual(len(contract.lot_ids), 2, "the two serials the delivery took from stock")
        undelivered = self._sell([(self.product, 1)])
        empty = self._contract(user=seller, lot_ids=[], sale_order_ids=[Command.set(undelivered.ids)])
        with self.assertRaises(UserError):
            empty.action_add_delivered_units()

    def test_the_engineer_is_reminded_before_the_end_once_and_the_contract_expires(self):
        contract = self._contract(date_end="2026-12-31", renewal_days=60, period_ids=[
            Command.create({"level": "maintenance", "date_from": "2026-01-01", "date_to": "2026-12-31"}),
        ])
        contract.action_start()
        Contract = self.env["service.contract"]
        with freeze_time("2026-10-31"):
            due, ended = Contract._cron_renewal_and_expiry()
            self.assertNotIn(contract, due, "62 days before the end: not yet")
        with freeze_time("2026-11-01"):
            due, ended = Contract._cron_renewal_and_expiry()
            self.assertIn(contract, due)
            self.assertEqual(contract.activity_ids.user_id, self.maint_engineer)
            self.assertIn(contract.name, contract.activity_ids.summary)
            Contract._cron_renewal_and_expiry()
            self.assertEqual(len(contract.activity_ids), 1, "reminded once")
        with freeze_time("2026-12-31"):
            Contract._cron_renewal_and_expiry()
            self.assertEqual(contract.state, "running", "its last day still covers")
        with freeze_time("2027-01-01"):
            due, ended = Contract._cron_renewal_and_expiry()
            self.assertIn(contract, ended)
            self.assertEqual(contract.state, "expired")
            renewal = self.env["service.contract"].browse(contract.action_renew()["res_id"])
        self.assertEqual((renewal.date_start, renewal.date_end), (date(2027, 1, 1), date(2027, 12, 31)))
        self.assertEqual(renewal.period_ids.date_from, date(2027, 1, 1))
        self.assertEqual(renewal.lot_ids, contract.lot_ids)
        self.assertEqual(renewal.state, "draft")

    def test_access_per_role_and_company(self):
        contract = self._contract()
        with self.assertRaises(AccessError):
            self._contract(user=self.maint_engineer)
        self.assertEqual(
            self.env["service.contract"].with_user(self.maint_engineer).search([("id", "=", contract.id)]),
            contract,
        )
        with self.assertRaises(AccessError):
            contract.with_user(self.maint_engineer).renewal_days = 10
        branch = self.env["res.company"].create({"name": "Branch Office"})
        theirs = self.env["service.contract"].create(
            {"partner_id": self.customer.id, "company_id": branch.id}
        )
        self.assertNotIn(theirs, self.env["service.contract"].with_user(self.maint_manager).search([]))
        contract.action_standard_periods()
        contract.action_start()
        Portal = self.env["service.contract"].with_user(self.portal_user)
        self.assertEqual(Portal.search([]), contract, "the customer sees their started contract")
        self.assertFalse(self.env["service.contract"].with_user(self.other_portal_user).search([]))
        self.assertEqual(contract.with_user(self.portal_user).period_ids.mapped("level"),
                         ["warranty", "maintenance", "lifetime"])


@tagged("post_install", "-at_install")
class TestContractPortal(HttpCase, MaintenanceCase):
    def test_my_contracts_lists_and_shows_the_customer_contracts_only(self):
        Contract = self.env["service.contract"].with_user(self.maint_manager)
        mine = Contract.create({"partner_id": self.customer.id, "date_start": "2026-01-01",
                                "lot_ids": [Command.set(self.lot.ids)]})
        mine.action_standard_periods()
        mine.action_start()
        draft = Contract.create({"partner_id": self.customer.id, "date_start": "2026-01-01"})
        theirs = Contract.create({"partner_id": self.owner_cn.id, "date_start": "2026-01-01",
                                  "lot_ids": [Command.set(self.cn_lots.ids)]})
        theirs.action_standard_periods()
        theirs.action_start()
        self.authenticate("sd_portal", "sd_portal")
        listing = self.url_open("/my/service-contracts")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(mine.name, listing.text)
        self.assertNotIn(draft.name, listing.text, "a draft is not the customer's yet")
        self.assertNotIn(theirs.name, listing.text)
        page = self.url_open(mine.access_url)
        self.assertIn("RMA-0001", page.text)
        self.assertIn("Maintenance: on-site maintenance free, parts at cost", page.text)
        self.assertIn("No end", page.text)
        other = self.url_open(theirs.access_url)
        self.assertNotIn("CN-0001", other.text)
        self.assertIn("/my/service-contracts", self.url_open("/my/home").text)
