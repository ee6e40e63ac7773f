from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.addons.service_rma.tests.common import RaceCase
from odoo.addons.service_warranty.decisions import deciding
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .test_kpi import T0, KpiCase


class TallyCase(KpiCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Tally = type(cls.env["service.request.tally"])

    def _spying(self):
        """A spy on the tally's reads: its ``call_count`` says how many."""
        return patch.object(
            self.Tally, "_report_groups", autospec=True, side_effect=self.Tally._report_groups,
        )

    def _summaries(self, user=None, domain=None, companies=None):
        """The summary from the tally (``domain``: what the dashboard asks,
        every request by default; ``companies``: the allowed companies' ids)
        and the same from the requests themselves, with how many times the
        tally was read for the first."""
        Request = self.env["service.request"].with_user(user or self.desk_manager)
        if companies:
            Request = Request.with_context(allowed_company_ids=companies)
        with self._spying() as spy:
            tallied = Request.get_kpi_summary(domain)
        # An id condition is not one the tally answers: a grouped read of the requests.
        read = Request.get_kpi_summary([("id", "!=", 0), *(domain or [])])
        return tallied, read, spy.call_count

    def assertTallied(self, message, user=None, domain=None, companies=None):
        tallied, read, calls = self._summaries(user, domain, companies)
        self.assertEqual(calls, 1, f"{message}: the tally answers")
        self.assertEqual(tallied, read, f"{message}: the tally counts what the requests say")
        return tallied


@tagged("post_install", "-at_install")
class TestKpiTally(TallyCase):
    """The requests' tally that the KPI report reads: kept by PostgreSQL in
    the transaction that writes the requests, whatever writes them, and read
    only when it answers for the same records as the requests would."""

    def test_the_tally_follows_every_write_to_the_requests(self):
        summary = self.assertTallied("the known data set")
        self.assertGreaterEqual(summary["requests"], 4)
        Request = self.env["service.request"]
        with freeze_time(T0 + timedelta(days=1)):
            more = Request.create([
                {"title": f"Fault {i}", "partner_id": self.customer.id, "lot_id": self.lot.id,
                 "severity": ("urgent", "serious", "normal")[i % 3],
                 "team_id": (self.team_a, self.team_b)[i % 2].id}
                for i in range(6)
            ])
        self.assertTallied("six requests created in one call")
        with deciding():
            more[:3].write({"date_responded": T0 + timedelta(days=1, minutes=30)})
            more[3].write({"date_responded": T0 + timedelta(days=3), "date_solved": T0 + timedelta(days=4)})
        self.assertTallied("clocks stopped, in time and late")
        more[0].sudo().rating_apply(5, token=more[0].sudo()._rating_get_access_token())
        more[1].sudo().rating_apply(2, token=more[1].sudo()._rating_get_access_token())
        self.assertTallied("two ratings (their last value is a stored compute, flushed)")
        more[2].write({"team_id": self.team_b.id, "severity": "urgent"})
        self.assertTallied("team and severity changed (the deadlines and results recomputed)")
        more[5].unlink()
        self.assertTallied("a request deleted")
        team_c = self.env["service.team"].create({"name": "Gone C"})
        more[4].team_id = team_c
        self.env.flush_all()
        team_c.unlink()  # PostgreSQL sets the requests' team to null
        self.assertFalse(more[4].team_id)
        self.assertTallied("a team deleted")
        self.env.cr.execute(SQL(
            "UPDATE service_request SET channel = 'email', company_id = company_id WHERE id = %s", more[3].id,
        ))
        self.env.invalidate_all()
        summary = self.assertTallied("plain SQL")
        self.assertGreaterEqual(summary["requests"], 9)
        team_a = self.assertTallied("one team", domain=[("team_id", "=", self.team_a.id)])
        self.assertEqual(team_a["requests"], 3, "r1, r2 and the first new one (the 3rd and 5th moved)")
        self.assertEqual(self.assertTallied("no such team", domain=[("team_id", "=", 0)])["requests"], 0)

    def test_the_dashboard_counts_from_the_users_midnight(self):
        """Shanghai's 1 April starts at 16:00 UTC on 31 March: the tally's
        days are UTC days, so the first hours of the period are read from the
        requests."""
        self.desk_manager.tz = "Asia/Shanghai"
        team = self.env["service.team"].create({"name": "Night shift"})
        Request = self.env["service.request"]
        for moment in ("2026-03-31 15:59:00", "2026-03-31 16:01:00", "2026-03-31 23:30:00",
                       "2026-04-01 00:00:00", "2026-04-02 03:00:00"):
            with freeze_time(moment):
                Request.create({"title": moment, "partner_id": self.customer.id, "team_id": team.id})
        Manager = Request.with_user(self.desk_manager)
        with freeze_time("2026-04-10 04:00:00"), self._spying() as spy:
            month = Manager.get_kpi_dashboard("month", team.id)
            domain = Manager._kpi_domains("month", team.id)[0]
        self.assertEqual(spy.call_count, 1)
        # 15:59 on 31 March (UTC) is still March in Shanghai; 16:01 and
        # 23:30 are read from the requests, 1 and 2 April from the tally.
        self.assertEqual(month["summary"]["requests"], 4)
        self.assertEqual(Manager.search_count(domain), 4, "what the month's report lists")
        self.desk_manager.tz = "UTC"
        with freeze_time("2026-04-10 04:00:00"):
            utc = Manager.get_kpi_dashboard("month", team.id)
        self.assertEqual(utc["summary"]["requests"], 2, "1 and 2 April in UTC")

    def test_folding_keeps_the_figures(self):
        Request = self.env["service.request"]
        with freeze_time(T0):
            requests = Request.create([
                {"title": f"Fault {i}", "partner_id": self.customer.id, "team_id": self.team_a.id}
                for i in range(5)
            ])
        for request in requests:
            request.team_id = self.team_b
        before = self.assertTallied("before folding")
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT count(*), count(DISTINCT (company_id, team_id, day, channel, severity, response_sla, "
            "arrival_sla, resolution_sla, rating)) FROM service_request_tally",
        ))
        rows, keys = self.env.cr.fetchone()
        self.assertGreater(rows, keys, "one row per change, a key changed more than once")
        cron = self.env.ref("service_desk.ir_cron_service_request_tally")
        self.assertEqual((cron.model_id.model, cron.code, cron.active),
                         ("service.request.tally", "model._cron_compact()", True))
        self.env["service.request.tally"]._cron_compact()
        self.env.cr.execute(SQL("SELECT count(*), bool_and(count != 0) FROM service_request_tally"))
        folded, none_zero = self.env.cr.fetchone()
        self.assertLess(folded, keys, "one row per key, none for the keys that count nothing")
        self.assertTrue(none_zero)
        self.assertEqual(self.assertTallied("after folding"), before)
        self.env["service.request.tally"]._recount()
        self.assertEqual(self.assertTallied("counted again from the requests"), before)

    def test_a_rule_beyond_the_company_reads_the_requests(self):
        """A rule the tally cannot apply (here: this manager sees team A
        only) and the report reads the requests themselves."""
        self.env["ir.rule"].create({
            "name": "Managers of team A only", "model_id": self.env["ir.model"]._get_id("service.request"),
            "domain_force": f"[('team_id', '=', {self.team_a.id})]",
        })
        tallied, read, calls = self._summaries()
        self.assertEqual(calls, 0)
        self.assertEqual(tallied, read)
        self.assertEqual(tallied["requests"], self.env["service.request"].with_user(self.desk_manager)
                         .search_count([]))
        self.assertEqual(tallied["requests"], 2, "team A's two requests")

    def test_each_company_counts_its_own(self):
        other = self.env["res.company"].create({"name": "Other Service Co"})
        with freeze_time(T0):
            self.env["service.request"].create([
                {"title": f"Elsewhere {i}", "partner_id": self.other_customer.id, "company_id": other.id}
                for i in range(3)
            ])
        self.desk_manager.company_ids = [Command.link(other.id)]
        mine = self.assertTallied("the manager's company", companies=[self.env.company.id])
        self.assertEqual(mine["requests"], self.env["service.request"].search_count(
            [("company_id", "=", self.env.company.id)]))
        both = self.assertTallied("both companies", companies=[self.env.company.id, other.id])
        self.assertEqual(both["requests"], mine["requests"] + 3)
        self.assertEqual(self.assertTallied("every company of the user (no company chosen)"), both)
        self.assertEqual(self.assertTallied("the other company", companies=[other.id])["requests"], 3)

    def test_the_report_costs_the_same_queries_for_10_and_100_requests(self):
        Request = self.env["service.request"]
        Manager = Request.with_user(self.desk_manager)
        Manager.get_kpi_summary()  # ACL and rule caches
        for count in (10, 100):
            with freeze_time(T0):
                Request.create([
                    {"title": f"Fault {i}", "partner_id": self.customer.id} for i in range(count)
                ])
            self.env.flush_all()
            self.env.invalidate_all()
            with self.subTest(count=count), self.assertQueryCount(6):
                Manager.get_kpi_summary()


@tagged("post_install", "-at_install")
class TestKpiRmaTally(KpiCase):
    """The RMAs' tally (ratings and the shop turnaround): it follows every
    write to the RMAs, and the report reads it only when it answers for the
    same RMAs as the RMAs themselves would."""

    def _summaries(self, rma_domain=None, user=None):
        """The summary of the RMAs from their tally and the same from the
        RMAs themselves, with how many times the tally was read."""
        Request = self.env["service.request"].with_user(user or self.desk_manager)
        Tally = type(self.env["service.rma.tally"])
        with patch.object(Tally, "_report_groups", autospec=True, side_effect=Tally._report_groups) as spy:
            tallied = Request.get_kpi_summary(None, rma_domain)
        # An id condition is not one the tally answers: a grouped read of the RMAs.
        read = Request.get_kpi_summary(None, [("id", "!=", 0), *(rma_domain or [])])
        return tallied, read, spy.call_count

    def assertTallied(self, message, rma_domain=None, user=None):
        tallied, read, calls = self._summaries(rma_domain, user)
        self.assertEqual(calls, 1, f"{message}: the tally answers")
        self.assertEqual(tallied, read, f"{message}: the tally counts what the RMAs say")
        return tallied

    def test_the_tally_follows_every_write_to_the_rmas(self):
        summary = self.assertTallied("the known data set")
        self.assertEqual(summary["turnaround"], {"rmas": 2, "hours": 36.0, "days": 1.5})
        self.assertEqual(summary["satisfaction"]["rmas_rated"], 1)
        with freeze_time(T0 + timedelta(days=5)):
            third = self.env["service.rma"].create(
                {"lot_id": self.other.lot_id.id, "partner_id": self.customer.id},
            )
        self.assertTallied("an RMA created")
        with deciding():
            third.write({"date_received": T0 + timedelta(days=5, hours=1),
                         "date_returned": T0 + timedelta(days=5, hours=13), "state": "done"})
        summary = self.assertTallied("a repair done (its turnaround a stored compute, flushed)")
        self.assertEqual(summary["turnaround"], {"rmas": 3, "hours": 28.0, "days": 1.2})
        third.sudo().rating_apply(2, token=third.sudo()._rating_get_access_token())
        self.other.sudo().rating_apply(4, token=self.other.sudo()._rating_get_access_token())
        summary = self.assertTallied("two ratings")
        self.assertEqual(summary["satisfaction"]["rmas_rated"], 3)
        third.service_request_id = self.r3
        team_b = self.assertTallied("a team through its request", [("team_id", "=", self.team_b.id)])
        self.assertEqual(team_b["turnaround"], {"rmas": 1, "hours": 12.0, "days": 0.5})
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE service_rma SET turnaround_hours = 60 WHERE id = %s", self.other.id))
        self.env.invalidate_all()
        summary = self.assertTallied("plain SQL")
        self.assertEqual(summary["turnaround"], {"rmas": 3, "hours": 40.0, "days": 1.7})
        self.again.unlink()
        self.assertTallied("an RMA deleted")

    def test_the_month_from_the_users_midnight(self):
        """Shanghai's 1 April starts at 16:00 UTC on 31 March: the units
        taken in between then and midnight (UTC) are read from the RMAs."""
        self.desk_manager.tz = "Asia/Shanghai"
        self.env.flush_all()
        for rma, moment in ((self.first, "2026-03-31 15:59:00"), (self.other, "2026-03-31 16:01:00"),
                            (self.again, "2026-04-02 03:00:00")):
            self.env.cr.execute(SQL("UPDATE service_rma SET date_intake = %s WHERE id = %s", moment, rma.id))
        self.env.invalidate_all()
        Manager = self.env["service.request"].with_user(self.desk_manager)
        with freeze_time("2026-04-10 04:00:00"):
            month = Manager.get_kpi_dashboard("month")["summary"]
            rma_domain = Manager._kpi_domains("month", False)[1]
        # 15:59 on 31 March (UTC) is still March in Shanghai: the first RMA
        # (rated) is not counted, the other one (done in 24 h) is.
        self.assertEqual(month["turnaround"], {"rmas": 1, "hours": 24.0, "days": 1.0})
        self.assertEqual(month["satisfaction"]["rmas_rated"], 0)
        tallied = self.assertTallied("the month in Shanghai", list(rma_domain))
        self.assertEqual(tallied["turnaround"], month["turnaround"])
        self.assertEqual(tallied["satisfaction"]["rmas_rated"], 0)
        self.assertEqual(tallied["repeat_repairs"], month["repeat_repairs"])
        self.desk_manager.tz = "UTC"
        with freeze_time("2026-04-10 04:00:00"):
            utc = Manager.get_kpi_dashboard("month")["summary"]
        self.assertEqual(utc["turnaround"], {"rmas": 0, "hours": 0.0, "days": 0.0}, "2 April only, in UTC")

    def test_a_rule_beyond_the_company_reads_the_rmas(self):
        self.env["ir.rule"].create({
            "name": "Managers of team A's RMAs only", "model_id": self.env["ir.model"]._get_id("service.rma"),
            "domain_force": f"[('team_id', '=', {self.team_a.id})]",
        })
        tallied, read, calls = self._summaries()
        self.assertEqual(calls, 0)
        self.assertEqual(tallied, read)
        self.assertEqual(tallied["turnaround"], {"rmas": 1, "hours": 48.0, "days": 2.0}, "the first RMA only")

    def test_folding_and_counting_again_keep_the_figures(self):
        self.first.service_request_id = self.r3
        self.first.service_request_id = self.r1
        before = self.assertTallied("before folding")
        self.env["service.rma.tally"]._cron_compact()
        self.assertEqual(self.assertTallied("after folding"), before)
        self.env["service.rma.tally"]._recount()
        self.assertEqual(self.assertTallied("counted again from the RMAs"), before)
        cron = self.env.ref("service_desk.ir_cron_service_rma_tally")
        self.assertEqual((cron.model_id.model, cron.code, cron.active),
                         ("service.rma.tally", "model._cron_compact()", True))


@tagged("post_install", "-at_install")
class TestKpiTallyRace(RaceCase):
    """Two desks writing requests, or two shops rating RMAs, of the same day,
    team and figures at the same moment: the triggers only append to the
    tallies, so neither waits for the other's commit."""

    def _update_both_without_waiting(self, table, column, value, ids):
        """Set ``column`` of the two rows ``ids`` of ``table`` to ``value``
        in two open transactions, the second unable to wait 2 s for a lock;
        both commit."""
        def update(row_id):
            return SQL("UPDATE %s SET %s = %s WHERE id = %s",
                       SQL.identifier(table), SQL.identifier(column), value, row_id)

        with self.registry_.cursor() as cr_a, self.registry_.cursor() as cr_b:
            cr_a.execute(update(ids[0]))
            cr_b.execute(SQL("SET LOCAL lock_timeout = '2s'"))
            # B would wait for A's commit here, and fail after 2 s, had A
            # locked a row of the tally that B's trigger writes too.
            cr_b.execute(update(ids[1]))
            cr_b.commit()
            cr_a.commit()

    def _tallied_and_counted(self, tally, key, table, column):
        """The tally's counts per ``key`` and the table's per ``column``."""

        def figures(env):
            tallied = dict(env.execute_query(SQL(
                "SELECT %s, SUM(count)::int FROM %s GROUP BY 1 HAVING SUM(count) != 0",
                SQL.identifier(key), SQL.identifier(tally),
            )))
            counted = dict(env.execute_query(SQL(
                "SELECT %s, COUNT(*)::int FROM %s GROUP BY 1", column, SQL.identifier(table),
            )))
            return tallied, counted

        return self._in_new_cursor(figures)

    def test_two_transactions_count_the_same_key_without_waiting(self):
        def create(env):
            return env["service.request"].create([
                {"title": f"Race {i}", "partner_id": env.ref("base.main_partner").id} for i in range(2)
            ]).ids

        ids = self._in_new_cursor(create)
        self.addCleanup(self._in_new_cursor, lambda env: env["service.request"].browse(ids).unlink())
        self._update_both_without_waiting("service_request", "severity", "urgent", ids)
        tallied, counted = self._tallied_and_counted(
            "service_request_tally", "severity", "service_request", SQL("severity"),
        )
        self.assertEqual(tallied, counted)
        self.assertGreaterEqual(counted["urgent"], 2)

    def test_two_transactions_count_the_same_rma_key_without_waiting(self):
        def create(env):
            product = env["product.product"].create(
                {"name": "Race pump", "is_storable": True, "tracking": "serial"},
            )
            lots = env["stock.lot"].create([
                {"name": f"RACE-{i}", "product_id": product.id} for i in range(2)
            ])
            partner = env["res.partner"].create({"name": "Race customer"})
            rmas = env["service.rma"].create([{"lot_id": lot.id, "partner_id": partner.id} for lot in lots])
            return rmas.ids, lots.ids, product.id, partner.id

        rma_ids, lot_ids, product_id, partner_id = self._in_new_cursor(create)

        def remove(env):
            env["service.rma"].browse(rma_ids).unlink()
            env["stock.lot"].browse(lot_ids).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()

        self.addCleanup(self._in_new_cursor, remove)
        self._update_both_without_waiting("service_rma", "rating_last_value", 5, rma_ids)
        tallied, counted = self._tallied_and_counted(
            "service_rma_tally", "rating", "service_rma", SQL("COALESCE(rating_last_value, 0)"),
        )
        self.assertEqual(tallied, counted)
        self.assertGreaterEqual(counted[5.0], 2)
