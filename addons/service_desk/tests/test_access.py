from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestAccess(DeskCase):
    def test_portal_customers_see_only_their_own_requests(self):
        mine = self._request(lot_id=self.lot.id)
        theirs = self._request(partner_id=self.other_customer.id)
        Request = self.env["service.request"]
        self.assertEqual(Request.with_user(self.portal_user).search([]), mine)
        self.assertEqual(Request.with_user(self.other_portal_user).search([]), theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.portal_user).read(["title"])
        with self.assertRaises(AccessError):
            mine.with_user(self.portal_user).write({"title": "changed"})
        with self.assertRaises(AccessError):
            Request.with_user(self.portal_user).create({"title": "by RPC", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            mine.with_user(self.portal_user).action_start()

    def test_engineers_read_all_and_work_their_own(self):
        theirs = self._request(user_id=self.engineer.id)
        others = self._request(user_id=self.engineer2.id)
        Request = self.env["service.request"].with_user(self.engineer)
        self.assertEqual(Request.search([("id", "in", (theirs | others).ids)]), theirs | others)
        theirs.with_user(self.engineer).action_start()
        self.assertEqual(theirs.state, "in_progress")
        with self.assertRaises(AccessError):
            others.with_user(self.engineer).action_start()
        with self.assertRaises(AccessError):
            Request.create({"title": "engineers do not take calls"})

    def test_the_desk_works_every_request_and_managers_configure(self):
        request = self._request(user_id=self.engineer.id)
        request.with_user(self.desk_user).action_start()
        with self.assertRaises(AccessError):
            self.env["service.zone"].with_user(self.desk_user).create({"name": "Moon"})
        with self.assertRaises(AccessError):
            request.with_user(self.desk_user).unlink()
        zone = self.env["service.zone"].with_user(self.desk_manager).create({"name": "Moon"})
        self.assertEqual(zone.arrival_hours_urgent, 2)
        self.env["service.team"].with_user(self.desk_manager).create({"name": "Hotline"})

    def test_requests_stay_in_their_company(self):
        other_company = self.env["res.company"].create({"name": "Branch Office"})
        branch = self.env["service.request"].create({
            "title": "Branch fault", "company_id": other_company.id, "user_id": False,
        })
        mine = self._request()
        Request = self.env["service.request"].with_user(self.desk_user)
        found = Request.search([("id", "in", (branch | mine).ids)])
        self.assertEqual(found, mine)
        with self.assertRaises(AccessError):
            branch.with_user(self.desk_user).read(["title"])

    def test_the_public_users_read_nothing(self):
        public = self.env.ref("base.public_user")
        request = self._request()
        for model in ("service.request", "service.zone", "service.team", "service.report.attempt"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(public).search([])
        with self.assertRaises(AccessError):
            request.with_user(public).read(["title"])
