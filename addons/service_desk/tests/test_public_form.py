import re
from uuid import uuid4

from odoo.addons.service_rma.tests.common import RaceCase
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger
from psycopg2.errors import UniqueViolation

from .common import DeskCase

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
NUMBER_RE = re.compile(r'o_service_ticket_number">([^<]+)<')
STATUS_RE = re.compile(r'href="(/service/status/[^"]+)"')


@tagged("post_install", "-at_install")
class TestPublicForm(HttpCase, DeskCase):
    """The device page's "Report a fault", over real HTTP, as an anonymous visitor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot._ensure_service_token()
        cls.token = cls.lot.sudo().service_token
        cls.lot2._ensure_service_token()
        cls.customer.write({"street": "1 Secret Street", "email": "it@acme-hospital.example.com"})

    def _page(self, token=None):
        response = self.url_open(f"/service/d/{token or self.token}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def _post(self, token=None, **form):
        page = self._page(token)
        csrf = CSRF_RE.search(page).group(1)
        data = {"description": "Pump stops after ten minutes", "contact_name": "Night nurse",
                "contact_phone": "+86 138 0000 1111", "csrf_token": csrf, **form}
        return self.url_open(f"/service/d/{token or self.token}/report", data=data)

    def _requests(self, lot=None):
        return self.env["service.request"].search([("lot_id", "=", (lot or self.lot).id)])

    def test_the_device_page_offers_the_form(self):
        page = self._page()
        self.assertIn("Report a fault", page)
        self.assertIn(f'action="/service/d/{self.token}/report"', page)

    def test_a_report_creates_a_request_and_answers_with_the_ticket_and_its_status_page(self):
        response = self._post()
        self.assertEqual(response.status_code, 200)
        request = self._requests()
        self.assertEqual(len(request), 1)
        self.assertEqual(request.channel, "device_page")
        self.assertEqual(request.partner_id, self.customer, "the certificate names the customer")
        self.assertEqual(request.contact_name, "Night nurse")
        self.assertEqual(request.description, "Pump stops after ten minutes")
        self.assertEqual(NUMBER_RE.search(response.text).group(1), request.name)
        for secret in ("Acme Hospital", "Secret Street", "acme-hospital", "RMA-0001"):
            self.assertNotIn(secret, response.text, "the answer says nothing about the owner or the serial")

        status_url = STATUS_RE.search(response.text).group(1)
        self.assertTrue(status_url.startswith(f"/service/status/{request.name}/"))
        status = self.url_open(status_url)
        self.assertEqual(status.status_code, 200)
        self.assertIn(request.name, status.text)
        self.assertIn("New", status.text)
        for secret in ("Acme Hospital", "Secret Street", "Night nurse", "ten minutes", "RMA-0001"):
            self.assertNotIn(secret, status.text, "state and dates only")
        request.action_start()
        self.assertIn("In progress", self.url_open(status_url).text)

    def test_the_status_page_needs_the_number_and_its_token(self):
        self._post()
        request = self._requests()
        token = request.sudo().status_token
        other = self._request(lot_id=self.lot2.id)
        other._ensure_status_token()
        for url in (f"/service/status/{request.name}/{'x' * len(token)}",
                    f"/service/status/{other.name}/{token}",
                    f"/service/status/{request.name}/{token[:-1]}"):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)

    def test_a_second_report_for_the_unit_answers_with_the_open_ticket(self):
        first = self._post()
        number = NUMBER_RE.search(first.text).group(1)
        second = self._post(description="Still broken", contact_name="Day nurse")
        self.assertEqual(second.status_code, 200)
        self.assertIn("o_service_report_duplicate", second.text)
        self.assertEqual(NUMBER_RE.search(second.text).group(1), number)
        self.assertNotIn("/service/status/", second.text, "the open ticket's status link is not given away")
        self.assertEqual(len(self._requests()), 1)

    def test_reports_are_limited_per_unit_and_per_address(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("service_desk.report_limit_unit", 2)
        params.set_param("service_desk.report_limit_address", 3)
        self._post()
        self._requests().action_cancel()
        self._post()
        self._requests().filtered(lambda r: r.state == "new").action_cancel()
        limited = self._post()
        self.assertEqual(limited.status_code, 429)
        self.assertIn("o_service_report_limited", limited.text)
        self.assertEqual(len(self._requests()), 2, "the unit's limit is reached")
        # Another unit, the same client address: its third report passes, the fourth not.
        other_token = self.lot2.sudo().service_token
        self.assertEqual(self._post(token=other_token).status_code, 200)
        self._requests(self.lot2).action_cancel()
        self.assertEqual(self._post(token=other_token).status_code, 429, "three reports from the address")
        self.assertEqual(len(self._requests(self.lot2)), 1)

    def test_bad_input_gets_a_clear_message_and_creates_nothing(self):
        cases = {
            "empty": ({"description": "   "}, "Describe the fault."),
            "oversize": ({"description": "x" * 2001}, "at most 2000 characters"),
            "script": ({"description": "<script>alert(1)</script>"}, "tags and scripts are not accepted"),
            "script in the name": ({"contact_name": "<img src=x onerror=alert(1)>"},
                                   "tags and scripts are not accepted"),
            "no way to answer": ({"contact_phone": "", "contact_email": ""}, "phone number or an e-mail"),
            "bad e-mail": ({"contact_phone": "", "contact_email": "not-an-address"}, "not valid"),
        }
        for label, (form, message) in cases.items():
            with self.subTest(label):
                response = self._post(**form)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertIn("o_service_report_errors", response.text)
                self.assertNotIn("<script>alert(1)</script>", response.text, "never echoed as markup")
        self.assertFalse(self._requests())
        self.assertFalse(self.env["service.report.attempt"].search([("lot_id", "=", self.lot.id)]))

    def test_an_unknown_token_is_not_found(self):
        response = self.url_open(f"/service/d/{'A' * 32}/report", data={"description": "x"})
        self.assertIn(response.status_code, (400, 404))
        self.assertFalse(self.env["service.request"].search([("channel", "=", "device_page")]))


@tagged("post_install", "-at_install")
class TestPublicFormLanguage(HttpCase, DeskCase):
    """A visitor who chose Chinese on the site reads the form's answers in Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["service_desk"], ["zh_CN"], overwrite=True)
        cls.lot._ensure_service_token()
        cls.token = cls.lot.sudo().service_token

    def test_the_answers_are_in_the_visitors_language(self):
        self.opener.cookies["frontend_lang"] = "zh_CN"
        page = self.url_open(f"/service/d/{self.token}")
        self.assertIn("报修故障", page.text)
        csrf = CSRF_RE.search(page.text).group(1)
        data = {"description": "", "contact_name": "护士", "contact_phone": "13800001111", "csrf_token": csrf}
        refused = self.url_open(f"/service/d/{self.token}/report", data=data)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("请描述故障。", refused.text)
        data["description"] = "报警灯常亮"
        created = self.url_open(f"/service/d/{self.token}/report", data=data)
        self.assertIn("故障单号", created.text)
        status = self.url_open(STATUS_RE.search(created.text).group(1))
        self.assertIn("新建", status.text)


@tagged("post_install", "-at_install")
class TestPublicFormRace(RaceCase):
    """Two visitors report a fault on the same unit at the same moment: two
    workers, two real database transactions. Data is committed on purpose
    (each worker needs to see it) and removed at the end."""

    def _setup_committed(self):
        serial = f"FORMRACE-{uuid4().hex[:10]}"

        def make(env):
            policy = env["service.warranty.policy"].create({"name": "Form race policy"})
            product = env["product.product"].create({
                "name": "Form race unit", "is_storable": True, "tracking": "serial",
                "warranty_policy_id": policy.id,
            })
            partner = env["res.partner"].create({"name": "Form race customer"})
            lot = env["stock.lot"].create({"name": serial, "product_id": product.id})
            env["service.warranty"].create({
                "lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id,
                "date_delivery": "2026-01-10", "state": "active",
            })
            # The company's ticket numbers exist already: the race is the reports' alone.
            env["service.request"]._ticket_sequence(env.company)
            return lot.id

        lot_id = self._in_new_cursor(make)
        self.addCleanup(self._in_new_cursor, lambda env: self._cleanup(env, lot_id))
        return lot_id

    @staticmethod
    def _cleanup(env, lot_id):
        env["service.request"].search([("lot_id", "=", lot_id)]).unlink()
        env["service.report.attempt"].search([("lot_id", "=", lot_id)]).unlink()
        env["stock.lot"].browse(lot_id).warranty_id._void("public form race test data")

    def test_two_visitors_at_once_make_one_open_request(self):
        lot_id = self._setup_committed()
        # Each worker is another visitor; a retried submission comes from its same visitor.
        addresses = {}

        def report(env):
            lot = env["stock.lot"].browse(lot_id)
            return env["service.request"].sudo()._report_fault_public(lot, {
                "description": "The pump beeps and stops", "contact_name": "Visitor",
                "contact_phone": "+86 138 0000 2222",
            }, addresses.setdefault(env.cr, f"198.51.100.{len(addresses) + 7}"))

        first, second = self._race(report)
        self.assertEqual(first["status"], "created")
        self.assertEqual(second["status"], "duplicate", "the second visitor gets the first one's ticket")
        self.assertEqual(second["number"], first["number"])
        self.assertFalse(second["token"], "the duplicate answer opens no status page")
        open_requests = self._in_new_cursor(lambda env: env["service.request"].search_read(
            [("lot_id", "=", lot_id), ("state", "in", ("new", "in_progress", "waiting"))], ["name"]
        ))
        self.assertEqual([request["name"] for request in open_requests], [first["number"]])

    def test_the_database_refuses_a_second_open_public_report(self):
        """What settles the race above: the partial unique index, whatever
        the Python check saw."""
        lot_id = self._setup_committed()

        def create_two(env):
            Request = env["service.request"].sudo()
            lot = env["stock.lot"].browse(lot_id)
            form = {"description": "Alarm", "contact_name": "Visitor", "contact_phone": "+86 138 0000 3333"}
            Request.create(Request._prepare_public_report_vals(lot, form))
            with self.assertRaises(UniqueViolation) as refused, env.cr.savepoint(), \
                    mute_logger("odoo.sql_db"):
                Request.create(Request._prepare_public_report_vals(lot, form))
                env.flush_all()
            self.assertEqual(refused.exception.diag.constraint_name,
                             "service_request_public_report_open_unique")
            return Request.search_count([("lot_id", "=", lot_id)])

        self.assertEqual(self._in_new_cursor(create_two), 1)
