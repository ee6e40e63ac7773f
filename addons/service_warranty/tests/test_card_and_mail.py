import base64
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import unittest
from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from .common import WarrantyCase

CARD = "service_warranty.action_report_warranty_card"
CARD_DOCUMENT = "service_warranty.report_warranty_card_document"
TEMPLATE = "service_warranty.mail_template_warranty_card"
CN_NAME = "上海瑞金医疗器械有限公司"
CN_STREET = "浦东新区张江路1288号"
CN_CITY = "上海市"
# The labels a 三包 certificate must carry (in the template's source language).
KEY_LABELS = (
    "Warranty card", "Product", "Brand", "Model", "Factory serial number", "Seller", "Seller's seal",
    "Customer", "Name", "Address", "Postcode", "Phone", "Repairer", "Invoice number", "Sale date",
    "Installation date", "Warranty until", "Refund until", "Exchange until", "After the warranty",
    "Repair log", "Date sent", "Times repaired", "Fault", "Cause", "Action", "Date returned", "Technician",
)


def _squeeze(text):
    """Text as a PDF's text layer can be compared: without whitespace (it
    breaks lines where a cell wraps, not where the words do), in NFKC form
    (a CJK font's glyph shared by an ideograph and its Kangxi radical, 金 and
    ⾦, may be extracted as either)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@tagged("post_install", "-at_install")
class TestCardAndMail(HttpCase, WarrantyCase):
    """The card speaks its customer's language (and keeps Chinese text in the
    PDF), is sent by e-mail through Odoo's composer into the chatter, and a
    delivery says once which certificates it issued. An HttpCase: wkhtmltopdf
    fetches the report's stylesheets from the running server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Where wkhtmltopdf is missing, Odoo's test mode renders reports as HTML.
        cls.pdf = bool(shutil.which("wkhtmltopdf"))
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["service_warranty"], ["zh_CN"], overwrite=True)
        cls.company.write({
            "street": "88 Harbour Road", "city": "Hong Kong", "zip": "999077", "phone": "+852 2345 6789",
        })
        cls.product.categ_id = cls.env["product.category"].create({"name": "Bionic Medical"})
        cls.cn_customer = cls.env["res.partner"].create({
            "name": CN_NAME,
            "street": CN_STREET,
            "city": CN_CITY,
            "zip": "201203",
            "country_id": cls.env.ref("base.cn").id,
            "phone": "+86 21 5080 1234",
            "email": "service@ruijin-med.example.cn",
            "lang": "zh_CN",
        })
        cls.order, cls.picking = cls._deliver(cls.product, ["CN-0001", "CN-0002"], partner=cls.cn_customer)
        cls.warranties = cls.picking.warranty_ids.sorted("id")
        cls.warranty = cls.warranties[0]
        cls.Report = cls.env["ir.actions.report"].with_user(cls.sales_user)

    def _assertCardAttached(self, attachments, warranty):
        """The card of ``warranty`` alone; its file name is in the customer's
        language (the report's print name is translated)."""
        self.assertEqual(len(attachments), 1)
        suffix = f" - {warranty.name.replace('/', '-')}.{'pdf' if self.pdf else 'html'}"
        self.assertTrue(attachments.name.endswith(suffix), attachments.name)

    def _card_html(self, warranty):
        html, _fmt = self.Report._render_qweb_html(CARD, warranty.ids)
        return html.decode()

    # -- the card ------------------------------------------------------------

    def test_card_in_chinese_carries_the_customer_data(self):
        html = self._card_html(self.warranty)
        for expected in (CN_NAME, CN_STREET, CN_CITY, "201203", "+86 21 5080 1234", "CN-0001",
                         self.warranty.name, "Infusion Pump IP-7", "IP-7", "Bionic Medical",
                         self.company.name, "88 Harbour Road", "999077", "+852 2345 6789"):
            self.assertIn(expected, html)
        # The postcode has its own box, not repeated in the address.
        self.assertEqual(html.count("201203"), 1)
        # Chinese must never vanish: the card names a CJK font first.
        self.assertIn("'Noto Sans CJK SC', 'Noto Sans CJK TC', 'WenQuanYi Zen Hei', sans-serif", html)
        translated = self.env.ref(CARD_DOCUMENT).with_context(lang="zh_CN").arch_db
        if "三包凭证" in translated:
            self.assertIn("三包凭证", html)
            self.assertNotIn(">Warranty card<", html)

    def test_card_in_english_has_every_label_of_a_certificate(self):
        _order, picking = self._deliver(self.product, ["EN-0001"])
        self.assertEqual(picking.warranty_ids.partner_id.lang, "en_US")
        html = self._card_html(picking.warranty_ids).replace("&#39;", "'").replace("&#x27;", "'")
        for label in KEY_LABELS:
            self.assertIn(label, html)
        self.assertIn("Bionic Medical", html)
        self.assertIn("table-layout: fixed", html)
        self.assertIn("overflow-wrap: anywhere", html)

    def test_card_repair_record_counts_the_times_repaired(self):
        lot = self.warranty.lot_id
        technician = self.manager
        repairs = self.env["repair.order"].create([
            {"product_id": self.product.id, "lot_id": lot.id, "partner_id": self.cn_customer.id,
             "user_id": technician.id, "schedule_date": datetime(2026, 1, day, 9, 0)}
            for day in (20, 5)
        ])
        record = self.warranty._get_card_repair_record()
        self.assertEqual([row["times_repaired"] for row in record], [1, 2])
        self.assertEqual([row["repair"] for row in record], [repairs[1], repairs[0]])
        self.assertEqual({row["technician"] for row in record}, {technician.name})
        html = self._card_html(self.warranty)
        for repair in repairs:
            self.assertIn(repair.name, html)
        self.assertIn(technician.name, html)

    def test_card_repair_record_reads_the_units_rmas(self):
        if "service.rma" not in self.env:
            self.skipTest("service_rma is not installed: the card lists repair orders only")
        lot = self.warranty.lot_id
        repair = self.env["repair.order"].create(
            {"product_id": self.product.id, "lot_id": lot.id, "partner_id": self.cn_customer.id,
             "schedule_date": datetime(2026, 1, 3, 9, 0)}
        )
        rma = self.env["service.rma"].sudo().create({
            "lot_id": lot.id, "partner_id": self.cn_customer.id, "warranty_id": self.warranty.id,
            "fault_description": "屏幕不亮", "cause": "电源板电容老化", "action_taken": "更换电源板",
            "user_id": self.manager.id,
        })
        rma.write({"state": "done", "date_received": datetime(2026, 2, 2, 10, 0),
                   "date_returned": datetime(2026, 2, 6, 16, 0), "repair_id": repair.id})
        record = self.warranty._get_card_repair_record()
        self.assertEqual(len(record), 1, "the RMA's repair is the RMA's line, not a second one")
        row = record[0]
        self.assertEqual(
            (row["fault"], row["cause"], row["action"]), ("屏幕不亮", "电源板电容老化", "更换电源板")
        )
        self.assertEqual((str(row["date_sent"]), str(row["date_returned"])), ("2026-02-02", "2026-02-06"))
        self.assertEqual(row["times_repaired"], 1)
        html = self._card_html(self.warranty)
        for expected in ("屏幕不亮", "电源板电容老化", "更换电源板"):
            self.assertIn(expected, html)

    @unittest.skipUnless(shutil.which("wkhtmltopdf") and shutil.which("pdftotext"),
                         "wkhtmltopdf or pdftotext (poppler-utils) is not installed: no PDF text to check")
    def test_card_pdf_keeps_the_chinese_text(self):
        pdf, fmt = self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            CARD, self.warranty.ids
        )
        self.assertEqual(fmt, "pdf")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "card.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True
            ).stdout.decode()
            fonts = subprocess.run(["pdffonts", path], capture_output=True, check=False).stdout.decode() \
                if shutil.which("pdffonts") else ""
        squeezed = _squeeze(text)
        for expected in (CN_NAME, CN_STREET, CN_CITY, "201203", "CN-0001"):
            self.assertIn(
                _squeeze(expected), squeezed,
                f"{expected} is missing from the PDF's text: is a Chinese font installed "
                "(`fc-list :lang=zh`; Debian's fonts-noto-cjk)?",
            )
        self.assertEqual(text.count("\f"), 1, "a unit with a short history fits on one page")
        if fonts:
            self.assertIn("CJK", fonts, "the card's CJK font is embedded")

    # -- sending the card ----------------------------------------------------

    def test_send_card_composer_in_customer_language_with_the_card(self):
        action = self.warranty.with_user(self.sales_user).action_send_card()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref(TEMPLATE)
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertEqual(template.report_template_ids, self.env.ref(CARD))
        Composer = self.env["mail.compose.message"].with_user(self.sales_user).with_context(
            action["context"], force_report_rendering=self.pdf
        )
        composer = Form(Composer).save()
        self.assertEqual(composer.template_id, template)
        self.assertEqual(composer.lang, "zh_CN")
        self.assertEqual(composer.partner_ids, self.cn_customer)
        self.assertIn(CN_NAME, composer.body)
        self.assertIn(f"/my/warranties/{self.warranty.id}?access_token=", composer.body)
        self.assertTrue(self.warranty.access_token)
        self._assertCardAttached(composer.attachment_ids, self.warranty)

        _mails, messages = composer._action_send_mail()
        self.assertEqual(len(messages), 1)
        self.assertIn(messages, self.warranty.message_ids, "the e-mail is in the certificate's chatter")
        self.assertEqual(messages.attachment_ids, composer.attachment_ids)
        self.assertEqual(messages.partner_ids, self.cn_customer)
        if self.pdf:
            self.assertEqual(messages.attachment_ids.mimetype, "application/pdf")
            self.assertTrue(base64.b64decode(messages.attachment_ids.datas).startswith(b"%PDF"))

    def test_send_cards_of_a_sale_order_one_email_per_certificate(self):
        action = self.order.with_user(self.sales_user).action_send_warranty_cards()
        self.assertEqual(sorted(action["context"]["default_res_ids"]), self.warranties.ids)
        composer = self.env["mail.compose.message"].with_user(self.sales_user).with_context(
            action["context"], force_report_rendering=self.pdf
        ).create({})
        _mails, messages = composer._action_send_mail()
        self.assertEqual(len(messages), 2)
        for warranty in self.warranties:
            message = messages.filtered(lambda m, w=warranty: m.res_id == w.id)
            self.assertEqual(len(message), 1)
            self._assertCardAttached(message.attachment_ids, warranty)
            self.assertEqual(message.partner_ids, self.cn_customer)

    def test_only_issued_certificates_are_sent(self):
        lot = self._make_lots(self.product, ["CN-DRAFT"])
        draft = self.env["service.warranty"].create({
            "lot_id": lot.id, "partner_id": self.cn_customer.id, "policy_id": self.policy.id,
        })
        self.assertFalse(draft.can_send_card)
        with self.assertRaises(UserError):
            draft.with_user(self.sales_user).action_send_card()
        order = self._sell([(self.product_no_policy, 1)])
        with self.assertRaises(UserError):
            order.with_user(self.sales_user).action_send_warranty_cards()

    # -- issuing at delivery ---------------------------------------------------

    def test_delivery_posts_one_note_listing_its_certificates(self):
        _order, picking = self._deliver(self.product, ["DN-0001", "DN-0002", "DN-0003"])
        warranties = picking.warranty_ids
        self.assertEqual(len(warranties), 3)
        notes = picking.message_ids.filtered(
            lambda message: any(w.name in (message.body or "") for w in warranties)
        )
        self.assertEqual(len(notes), 1, "one note for the delivery, not one per certificate")
        for warranty in warranties:
            self.assertIn(warranty.name, notes.body)
            self.assertIn(warranty.lot_id.name, notes.body)
        self.assertIn("3 warranty certificate(s) issued.", notes.body)
