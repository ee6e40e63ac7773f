from datetime import datetime, timedelta

from odoo import fields
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import DeskCase

T0 = datetime(2026, 3, 2, 1, 0)  # Monday 2 March 2026, 09:00 in Shanghai


class KpiCase(DeskCase):
    """A known data set: four requests of two teams, three ratings, three
    RMAs of which one repeats a unit, all from ``t0`` on."""

    t0 = T0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def hours(count):
            return cls.t0 + timedelta(hours=count)

        # Urgent 1 h / 8 h, serious 2 h / 24 h, normal 24 h / 72 h, round the clock.
        cls.policy.support_calendar_id = cls.cal_7x24
        Team = cls.env["service.team"]
        cls.team_a = Team.create({"name": "Hotline A"})
        cls.team_b = Team.create({"name": "Field B"})
        Request = cls.env["service.request"]
        with freeze_time(cls.t0):
            cls.r1, cls.r2, cls.r3, cls.r4 = Request.create([
                {"title": "Down", "partner_id": cls.customer.id, "lot_id": cls.lot.id,
                 "severity": "urgent", "support_mode": "on_site", "team_id": cls.team_a.id,
                 "channel": "hotline"},
                {"title": "Alarm", "partner_id": cls.customer.id, "lot_id": cls.lot.id, "severity": "serious",
                 "team_id": cls.team_a.id},
                {"title": "Question", "partner_id": cls.customer.id, "lot_id": cls.lot.id,
                 "team_id": cls.team_b.id},
                {"title": "Manual", "partner_id": cls.customer.id, "lot_id": cls.lot.id,
                 "team_id": cls.team_b.id, "channel": "hotline"},
            ])
        cls.requests = cls.r1 | cls.r2 | cls.r3 | cls.r4
        with deciding():
            cls.r1.write({
                "date_responded": hours(0.5), "date_arrived": hours(1), "date_solved": hours(4),
            })
            cls.r2.write({"date_responded": hours(3), "date_solved": hours(30), "channel": "email"})
            cls.r3.write({"date_responded": hours(1), "channel": "portal"})
        for record, score in ((cls.r1, 5), (cls.r2, 1)):
            record.sudo().rating_apply(score, token=record.sudo()._rating_get_access_token())

        Rma = cls.env["service.rma"]
        with freeze_time(cls.t0):
            first = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
            other = Rma.browse(Rma.scan("RMA-0002")["rma_id"])
            with deciding():
                first.write({"date_received": hours(2), "date_returned": hours(50), "state": "done"})
                other.write({"date_received": hours(2), "date_returned": hours(26), "state": "done"})
        with freeze_time(hours(72)):
            again = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
        first.service_request_id = cls.r1
        first.sudo().rating_apply(5, token=first.sudo()._rating_get_access_token())
        other.sudo()._rating_get_access_token()  # asked, not answered: not counted
        cls.rmas = first | other | again
        cls.first, cls.other, cls.again = first, other, again


@tagged("post_install", "-at_install")
class TestKpi(KpiCase):
    """The managers' service KPIs on the known data set."""

    def _summary(self, user=None, domain=None, rma_domain=None):
        return self.env["service.request"].with_user(user or self.desk_manager).get_kpi_summary(
            domain or [("id", "in", self.requests.ids)], rma_domain or [("id", "in", self.rmas.ids)],
        )

    def test_the_figures_of_a_known_data_set(self):
        summary = self._summary()
        self.assertEqual(summary["requests"], 4)
        self.assertEqual(summary["response"], {"met": 2, "missed": 1, "rate": 66.7})
        self.assertEqual(summary["arrival"], {"met": 1, "missed": 0, "rate": 100.0})
        self.assertEqual(summary["resolution"], {"met": 1, "missed": 1, "rate": 50.0})
        self.assertEqual(summary["satisfaction"], {
            "rated": 3, "satisfied": 2, "requests_rated": 2, "rmas_rated": 1, "rate": 66.7,
        })
        self.assertEqual(summary["turnaround"], {"rmas": 2, "hours": 36.0, "days": 1.5})
        self.assertEqual(summary["repeat_repairs"], {
            "units": 1, "rmas": 2,
            "products": [
                {"product_id": self.product.id, "name": self.product.display_name, "units": 1, "rmas": 2},
            ],
        })
        channels = {row["key"]: row["count"] for row in summary["channels"]}
        self.assertEqual(channels, {"hotline": 2, "email": 1, "portal": 1, "device_page": 0, "staff": 0})
        severities = {row["key"]: row["count"] for row in summary["severities"]}
        self.assertEqual(severities, {"urgent": 1, "serious": 1, "normal": 2})

    def test_nothing_measured_is_no_rate_rather_than_zero(self):
        summary = self._summary(domain=[("id", "=", self.r4.id)], rma_domain=[("id", "=", self.again.id)])
        self.assertEqual(summary["requests"], 1)
        self.assertEqual(summary["response"], {"met": 0, "missed": 0, "rate": False})
        self.assertEqual(summary["satisfaction"]["rate"], False)
        self.assertEqual(summary["turnaround"], {"rmas": 0, "hours": 0.0, "days": 0.0})
        self.assertEqual(summary["repeat_repairs"], {"units": 0, "rmas": 0, "products": []})

    def test_the_dashboard_by_period_and_team(self):
        Request = self.env["service.request"].with_user(self.desk_manager)
        with freeze_time("2026-03-20 04:00:00"):
            month = Request.get_kpi_dashboard("month")
            team_a = Request.get_kpi_dashboard("quarter", self.team_a.id)
        self.assertEqual(month["summary"]["requests"], 4)
        self.assertEqual(month["summary"]["turnaround"]["rmas"], 2)
        self.assertIn({"id": self.team_a.id, "name": "Hotline A"}, month["teams"])
        self.assertEqual(team_a["summary"]["requests"], 2)
        self.assertEqual(team_a["summary"]["response"], {"met": 1, "missed": 1, "rate": 50.0})
        # The RMAs' team is their request's: only the first RMA came from team A.
        self.assertEqual(team_a["summary"]["turnaround"], {"rmas": 1, "hours": 48.0, "days": 2.0})
        self.assertEqual(team_a["summary"]["satisfaction"]["rated"], 3)
        with freeze_time("2026-04-02 04:00:00"):
            april = Request.get_kpi_dashboard("month")
            year = Request.get_kpi_dashboard("year")
        self.assertEqual(april["summary"]["requests"], 0, "a new month starts empty")
        self.assertEqual(year["summary"]["requests"], 4)

    def test_each_card_opens_its_report_filtered_the_same_way(self):
        Request = self.env["service.request"].with_user(self.desk_manager)
        with freeze_time("2026-03-20 04:00:00"):
            levels = Request.action_open_kpi("service_levels", "month", self.team_b.id)
            repeat = Request.action_open_kpi("repeat_repairs", "year")
        self.assertEqual(levels["res_model"], "service.request")
        self.assertEqual(Request.search(levels["domain"]), self.r3 | self.r4)
        self.assertEqual(repeat["res_model"], "service.rma")
        self.assertIn("search_default_filter_repeat", repeat["context"])
        found = self.env["service.rma"].search(repeat["domain"])
        # Other modules' tests may leave RMAs of this year behind: ours are among them.
        self.assertEqual(found & self.rmas, self.rmas)
        self.assertFalse(found.filtered(lambda rma: rma.date_intake < datetime(2026, 1, 1)))
        self.assertEqual(
            self.env["service.rma"].search([("is_repeat_repair", "=", True), ("id", "in", self.rmas.ids)]),
            self.first | self.again,
        )
        self.assertEqual((self.first.turnaround_hours, self.other.turnaround_hours), (48.0, 24.0))

    def test_managers_see_the_kpis_and_the_desk_does_not(self):
        self.assertEqual(self._summary(self.desk_manager)["requests"], 4)
        for user in (self.desk_user, self.engineer, self.repair_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._summary(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["service.request"].with_user(user).get_kpi_dashboard("month")

    def test_the_menus_are_the_managers(self):
        menu = self.env.ref("service_desk.menu_service_desk_reporting")
        for user, visible in ((self.desk_manager, True), (self.desk_user, False)):
            with self.subTest(user=user.login):
                menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                self.assertEqual(menu.id in menus, visible)

    def test_the_summary_costs_the_same_queries_for_10_and_100_requests(self):
        Request = self.env["service.request"]
        with freeze_time(T0):
            batches = {count: Request.create([
                {"title": f"Fault {i}", "partner_id": self.customer.id, "lot_id": self.lot.id,
                 "severity": ("urgent", "serious", "normal")[i % 3], "team_id": self.team_a.id}
                for i in range(count)
            ]) for count in (10, 100)}
        for requests in batches.values():
            with deciding():
                requests[::2].write({"date_responded": T0 + timedelta(hours=0.5)})
                requests[1::2].write({"date_responded": T0 + timedelta(hours=30)})
            for request in requests[:5]:
                request.sudo().rating_apply(4, token=request.sudo()._rating_get_access_token())
        Manager = Request.with_user(self.desk_manager)
        Manager.get_kpi_summary([("id", "in", batches[10].ids)])  # ACL and rule caches
        for count, requests in batches.items():
            self.env.flush_all()
            self.env.invalidate_all()
            with self.subTest(count=count), self.assertQueryCount(6):
                summary = Manager.get_kpi_summary([("id", "in", requests.ids)], [("id", "in", self.rmas.ids)])
            self.assertEqual(summary["requests"], count)
            self.assertEqual(summary["response"]["met"], (count + 1) // 2)
            self.assertEqual(summary["satisfaction"]["rated"], 6)


@tagged("post_install", "-at_install")
class TestKpiDashboard(HttpCase, KpiCase):
    """The dashboard in the browser: this month's cards, the team and period
    filters, a card opening its report."""

    # This month's data, whatever day the test runs on.
    t0 = fields.Datetime.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)

    def test_the_manager_reads_the_dashboard_and_opens_a_report(self):
        self.desk_manager.tz = "UTC"
        self.start_tour(
            "/odoo/action-service_desk.service_kpi_dashboard_action", "service_desk_kpi_dashboard",
            login="sd_manager",
        )
