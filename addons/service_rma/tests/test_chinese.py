"""With Simplified and Traditional Chinese loaded, the product speaks them:
labels, menus, selections, verdicts, errors, and the public device page for a
Chinese-speaking visitor. Each expected text is the one our .po file gives,
so a missing or broken translation fails here, not in front of a customer."""

import re
from pathlib import Path

import polib
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import file_path
from odoo.tools.misc import format_date

from .common import RmaCase

CJK = re.compile(r"[\u4e00-\u9fff]")
LANGS = ("zh_CN", "zh_TW")


def po_entries(module, lang):
    """{msgid: msgstr} of one of our .po files, as Odoo reads it."""
    path = Path(file_path(f"{module}/i18n/{lang}.po"))
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path)) if entry.msgstr}


@tagged("post_install", "-at_install")
class TestChinese(RmaCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["service_warranty", "service_rma"], list(LANGS), overwrite=True
        )
        cls.po = {(module, lang): po_entries(module, lang)
                  for module in ("service_warranty", "service_rma") for lang in LANGS}

    def _expect(self, module, lang, msgid):
        text = self.po[module, lang].get(msgid)
        self.assertTrue(text and CJK.search(text), f"{module} {lang} has no Chinese for {msgid!r}")
        return text

    def test_field_labels_menus_and_selections(self):
        for lang in LANGS:
            with self.subTest(lang=lang):
                env = self.env(context=dict(self.env.context, lang=lang))
                label = env["ir.model.fields"]._get("service.warranty", "refund_until").field_description
                self.assertEqual(label, self._expect("service_warranty", lang, "Refund until"))
                menu = env.ref("service_warranty.service_warranty_menu").name
                self.assertEqual(menu, self._expect("service_warranty", lang, "Certificates"))
                remedy = dict(env["service.rma"]._fields["remedy"]._description_selection(env))
                self.assertEqual(remedy["refund"], self._expect("service_rma", lang, "Refund"))

    def test_verdict_and_error_messages(self):
        sold = fields.Date.subtract(fields.Date.today(), days=60)  # past the exchange window
        self.warranty.write({"date_sale": sold, "date_delivery": sold})
        for lang in LANGS:
            with self.subTest(lang=lang):
                lot = self.lot.with_context(lang=lang)
                verdict = lot.get_service_coverage()
                template = self._expect("service_warranty", lang, "Under warranty until %(date)s.")
                self.assertEqual(verdict["reason"], "in_warranty")
                self.assertEqual(
                    verdict["reason_text"], template % {"date": format_date(lot.env, self.warranty.date_end)}
                )
                with self.assertRaises(UserError) as caught:
                    self.warranty.with_user(self.repair_user).with_context(lang=lang).action_activate()
                self.assertTrue(CJK.search(str(caught.exception)), str(caught.exception))

    def test_device_page_answers_a_chinese_visitor_in_chinese(self):
        token = self.lot.sudo().service_token
        for lang, accept in (("zh_CN", "zh-CN,zh;q=0.9"), ("zh_TW", "zh-TW,zh;q=0.9")):
            with self.subTest(lang=lang):
                self.opener.cookies.clear()
                page = self.url_open(f"/service/d/{token}", headers={"Accept-Language": accept})
                self.assertEqual(page.status_code, 200)
                serviced_by = self._expect("service_warranty", lang, "Serviced by")
                self.assertIn(serviced_by, page.text)
                self.opener.cookies.clear()  # the first answer set the visitor's language cookie
                english = self.url_open(f"/service/d/{token}", headers={"Accept-Language": "en-US"})
                self.assertIn("Serviced by", english.text)
