import re

from odoo.tests import HttpCase, tagged

from .common import MaintenanceCase

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestAdvisoryHttp(HttpCase, MaintenanceCase):
    """The device page's notice and the owner's link, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.env["res.partner"].create({"name": "Range Owner", "email": "range@owner.example.com",
                                                   "street": "9 Hidden Road"})
        cls.inside, cls.outside = cls._own(cls.owner, cls.product, ["D-050", "D-500"])
        (cls.inside | cls.outside)._ensure_service_token()
        cls.advisory = cls.env["service.advisory"].with_user(cls.maint_manager).create({
            "title": "Display may flicker", "product_id": cls.product.id, "scope": "range",
            "serial_from": "D-000", "serial_to": "D-099",
            "description": "<p>Update the firmware at your next inspection.</p>",
        })

    def _device_page(self, lot):
        response = self.url_open(f"/service/d/{lot.sudo().service_token}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_the_device_page_of_an_affected_unit_shows_the_advisory_without_customer_data(self):
        self.assertNotIn("Display may flicker", self._device_page(self.inside), "not before it is published")
        self.advisory.with_user(self.maint_manager).action_publish()
        page = self._device_page(self.inside)
        self.assertIn("Display may flicker", page)
        self.assertIn("Update the firmware", page)
        self.assertIn(self.advisory.name, page)
        for secret in ("Range Owner", "Hidden Road", "range@owner", "D-050"):
            self.assertNotIn(secret, page, "the public page names no owner and masks the serial")
        self.assertNotIn("Display may flicker", self._device_page(self.outside), "outside the range")
        self.assertNotIn("Display may flicker", self._device_page(self.cable_lots), "another product")
        self.advisory.with_user(self.maint_manager).action_close()
        self.assertNotIn("Display may flicker", self._device_page(self.inside), "not once closed")

    def test_the_owner_acknowledges_through_the_link_of_their_e_mail(self):
        notices = self.advisory.with_user(self.maint_manager).action_notify_owners()
        notice = notices.filtered(lambda n: n.partner_id == self.owner)
        url = notice.get_portal_url()
        mail = self._mails(notice)
        self.assertIn(url.replace("&", "&amp;"), mail.body_html)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Display may flicker", page.text)
        self.assertIn("D-050", page.text, "the owner sees their own units")
        self.assertNotIn("D-500", page.text)
        self.assertFalse(notice.date_acknowledged, "opening the link is not acknowledging")
        csrf = CSRF_RE.search(page.text).group(1)
        done = self.url_open(f"/my/service-advisories/{notice.id}/acknowledge",
                             data={"csrf_token": csrf, "access_token": notice.access_token})
        self.assertEqual(done.status_code, 200)
        self.assertIn("Acknowledged on", done.text)
        self.assertTrue(notice.date_acknowledged)
        self.assertEqual(notice.acknowledged_via, "link")
        self.assertEqual(notice.acknowledged_by, "Range Owner")
        first = notice.date_acknowledged
        self.url_open(f"/my/service-advisories/{notice.id}/acknowledge",
                      data={"csrf_token": csrf, "access_token": notice.access_token})
        self.assertEqual(notice.date_acknowledged, first, "acknowledged once")

    def test_a_wrong_token_opens_nothing(self):
        notices = self.advisory.with_user(self.maint_manager).action_notify_owners()
        notice = notices.filtered(lambda n: n.partner_id == self.owner)
        response = self.url_open(f"/my/service-advisories/{notice.id}?access_token=not-the-token")
        self.assertNotIn("Display may flicker", response.text)
        page = self.url_open(notice.get_portal_url())
        csrf = CSRF_RE.search(page.text).group(1)
        self.url_open(f"/my/service-advisories/{notice.id}/acknowledge",
                      data={"csrf_token": csrf, "access_token": "not-the-token"})
        self.assertFalse(notice.date_acknowledged)

    def test_portal_customers_list_and_acknowledge_their_advisories(self):
        advisory = self._advisory()
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        mine = notices.filtered(lambda n: n.partner_id == self.customer)
        self.authenticate("sd_portal", "sd_portal")
        listing = self.url_open("/my/service-advisories")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(advisory.name, listing.text)
        self.assertIn("To acknowledge", listing.text)
        page = self.url_open(mine.access_url)
        self.assertIn("RMA-0001", page.text)
        csrf = CSRF_RE.search(page.text).group(1)
        self.url_open(f"/my/service-advisories/{mine.id}/acknowledge", data={"csrf_token": csrf})
        self.assertEqual(mine.acknowledged_via, "portal")
        self.assertEqual(mine.acknowledged_by, "Ada Nurse")
        theirs = notices - mine
        other = self.url_open(theirs[0].access_url)
        self.assertNotIn("CN-0001", other.text, "another owner's notice stays closed")
        home = self.url_open("/my/home")
        self.assertIn("/my/service-advisories", home.text)
