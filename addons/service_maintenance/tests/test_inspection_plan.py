from datetime import datetime

from freezegun import freeze_time
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from psycopg2.errors import UniqueViolation

from .inspection_common import InspectionCase

# 08:30 in Shanghai, the calendar's first working hour, in UTC.
MORNING = (0, 30)


def at_morning(year, month, day):
    return datetime(year, month, day, *MORNING)


@tagged("post_install", "-at_install")
class TestInspectionPlan(InspectionCase):
    """The contract's inspection plan keeps its inspection visits planned a
    horizon ahead: exact dates on working days, idempotent, moving only the
    future visits that have not started, with a constant number of queries
    per batch of contracts."""

    def _plan_quarterly(self, contract=None):
        contract = contract or self.contract
        contract.with_user(self.maint_manager).write({
            "plan_kind": "months", "plan_first_count": 3, "plan_first_months": 1, "plan_then_months": 3,
            "plan_horizon_months": 12,
        })
        return contract.inspection_ids.sorted("plan_sequence")

    @freeze_time("2027-01-15 01:00:00")
    def test_monthly_three_times_then_quarterly_over_a_year(self):
        visits = self._plan_quarterly()
        self.assertEqual(visits.mapped("plan_sequence"), [1, 2, 3, 4, 5, 6])
        self.assertEqual(visits.mapped("date_planned"), [
            at_morning(2027, 2, 15), at_morning(2027, 3, 15), at_morning(2027, 4, 15),
            at_morning(2027, 7, 15), at_morning(2027, 10, 15),
            # Due on Saturday 15 January 2028: the next working day, Monday.
            at_morning(2028, 1, 17),
        ])
        self.assertEqual(set(visits.mapped("visit_type")), {"inspection"})
        self.assertEqual(visits.user_id, self.maint_engineer, "assigned to the contract's engineer")
        self.assertEqual(visits.partner_id, self.customer)
        self.assertEqual(visits.company_id, self.contract.company_id)
        self.assertEqual(set(visits.mapped("state")), {"planned"})
        self.assertEqual(visits[0].name, f"{self.contract.name}-01")
        self.assertEqual(self.contract.inspection_count, 6)

    @freeze_time("2027-01-15 01:00:00")
    def test_running_the_plan_twice_creates_nothing_new(self):
        visits = self._plan_quarterly()
        self.assertFalse(self.contract._generate_inspections(), "a second run creates nothing")
        self.assertFalse(self.env["service.contract"]._cron_generate_inspections(), "nor does the cron")
        self.assertEqual(self.contract.inspection_ids, visits)
        self.assertEqual(visits.mapped("date_planned")[0], at_morning(2027, 2, 15), "nothing moved")

    def test_the_plan_key_is_unique_in_the_database(self):
        with freeze_time("2027-01-15 01:00:00"):
            visit = self._plan_quarterly()[0]
        with self.assertRaises(UniqueViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"), deciding():
            self.env["service.visit"].create({
                "visit_type": "inspection", "contract_id": self.contract.id, "plan_sequence": 1,
                "user_id": self.maint_engineer.id, "date_planned": visit.date_planned,
            })

    def test_changing_the_plan_moves_only_future_unstarted_visits(self):
        with freeze_time("2027-01-15 01:00:00"):
            visits = self._plan_quarterly()
        first, second, third = visits[:3]
        with freeze_time("2027-02-15 03:00:00"):
            self._inspect(first).action_finish()
        with freeze_time("2027-03-10 03:00:00"):
            # Started early: on site before its planned day.
            second.with_user(self.maint_engineer).action_arrive()
            self.contract.with_user(self.maint_manager).write({"plan_kind": "weeks", "plan_weeks": 3})
            self.assertEqual((first.state, first.date_planned), ("done", at_morning(2027, 2, 15)))
            self.assertEqual((second.state, second.date_planned), ("in_progress", at_morning(2027, 3, 15)))
            # The third inspection is now due three times three weeks after the start.
            self.assertEqual((third.state, third.date_planned), ("planned", at_morning(2027, 3, 19)))
            planned = self.contract.inspection_ids.filtered(lambda visit: visit.state == "planned")
            dates = planned.sorted("plan_sequence").mapped("date_planned")
            self.assertEqual(dates[:3], [
                at_morning(2027, 3, 19), at_morning(2027, 4, 9), at_morning(2027, 4, 30),
            ])
            self.assertEqual(len(planned), 18, "every third week from 19 March 2027 to 10 March 2028")
            self.assertEqual(len(set(planned.mapped("plan_sequence"))), 18)
            self.assertFalse(self.contract._generate_inspections(), "and again idempotent")

    @freeze_time("2027-01-15 01:00:00")
    def test_shortening_the_plan_cancels_the_visits_it_no_longer_has(self):
        visits = self._plan_quarterly()
        self.contract.with_user(self.maint_manager).plan_horizon_months = 4
        self.assertEqual(visits.filtered(lambda v: v.state == "planned").mapped("plan_sequence"), [1, 2, 3])
        dropped = visits - visits[:3]
        self.assertEqual(set(dropped.mapped("state")), {"cancel"})
        self.assertFalse(any(dropped.mapped("plan_sequence")), "their plan numbers are free again")
        self.contract.with_user(self.maint_manager).plan_horizon_months = 12
        self.assertEqual(len(self.contract.inspection_ids.filtered(lambda v: v.state == "planned")), 6)

    @freeze_time("2027-01-15 01:00:00")
    def test_inspections_fall_on_working_days(self):
        # A public holiday on the third inspection's day (Thursday 15 April 2027).
        self.env["resource.calendar.leaves"].create({
            "name": "Holiday", "calendar_id": self.calendar.id,
            "date_from": "2027-04-14 16:00:00", "date_to": "2027-04-15 15:59:59",
        })
        visits = self._plan_quarterly()
        self.assertEqual(visits[2].date_planned, at_morning(2027, 4, 16))
        for visit in visits:
            self.assertLess(visit.date_planned.weekday(), 5, "Monday to Friday only")

    @freeze_time("2027-01-15 01:00:00")
    def test_the_engineer_follows_the_contract(self):
        visits = self._plan_quarterly()
        self.contract.with_user(self.maint_manager).user_id = self.maint_manager
        self.assertEqual(visits.user_id, self.maint_manager)

    @freeze_time("2027-01-15 01:00:00")
    def test_a_cancelled_contract_keeps_no_future_inspection(self):
        visits = self._plan_quarterly()
        self.contract.with_user(self.maint_manager).action_cancel()
        self.assertEqual(set(visits.mapped("state")), {"cancel"})

    def test_an_interval_that_never_moves_on_is_refused(self):
        with self.assertRaises(ValidationError):
            self.contract.with_user(self.maint_manager).write({"plan_kind": "weeks", "plan_weeks": 0})

    def test_the_generator_queries_do_not_grow_with_the_contracts(self):
        def batch(size):
            contracts = self.env["service.contract"]
            for _index in range(size):
                contracts |= self._contract(self.customer, self.lot | self.lot2, plan_kind="months")
            contracts.inspection_ids.unlink()
            self.env.flush_all()
            self.env.invalidate_all()
            return contracts

        with freeze_time("2027-01-15 01:00:00"):
            small, large = batch(2), batch(10)
            before = self.cr.sql_log_count
            made = small._generate_inspections()
            self.env.flush_all()
            small_queries = self.cr.sql_log_count - before
            self.assertEqual(len(made), 2 * 6)
            self.env.invalidate_all()
            with self.assertQueryCount(small_queries):
                made = large._generate_inspections()
                self.env.flush_all()
            self.assertEqual(len(made), 10 * 6)
