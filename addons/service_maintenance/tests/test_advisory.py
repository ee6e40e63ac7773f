from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestAdvisory(MaintenanceCase):
    def test_every_owner_of_the_product_is_told_once_with_their_units(self):
        advisory = self._advisory()
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertEqual(advisory.state, "published", "notifying publishes the advisory")
        self.assertEqual(notices.partner_id, self.customer | self.owner_cn)
        mine = notices.filtered(lambda notice: notice.partner_id == self.customer)
        self.assertEqual(mine.lot_ids, self.lot | self.lot2)
        self.assertEqual(advisory.notified_count, 2)
        mails = self._mails(notices)
        self.assertEqual(len(mails), 2, "one e-mail per owner")
        by_owner = {mail.recipient_ids: mail for mail in mails}
        self.assertEqual(set(by_owner), {self.customer, self.owner_cn})
        body = by_owner[self.customer].body_html
        self.assertIn("RMA-0001", body)
        self.assertIn("RMA-0002", body)
        self.assertNotIn("CN-0001", body, "an owner reads their own units, nobody else's")
        self.assertIn(mine.get_portal_url(), body, "the owner's acknowledgement link")
        self.assertIn(advisory.name, by_owner[self.customer].subject)
        self.assertNotIn(self.owner_other_product, notices.partner_id, "owners of other products get nothing")

    def test_the_e_mails_wait_in_the_mail_queue(self):
        advisory = self._advisory()
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        mails = self._mails(notices)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent in the user's request")
        queued = self.env["mail.mail"].search([("state", "=", "outgoing"), ("id", "in", mails.ids)])
        self.assertEqual(queued, mails, "the mail queue's cron picks them up")
        tracking = self.env["mail.notification"].search([("mail_mail_id", "in", mails.ids)])
        self.assertEqual(tracking.res_partner_id, self.customer | self.owner_cn)
        self.assertEqual(set(tracking.mapped("notification_status")), {"ready"})
        self.assertTrue(all(notices.mapped("emailed")))
        messages = mails.mail_message_id
        self.assertEqual(len(messages), 2, "one message per language (English, Chinese), as Odoo notifies")
        self.assertEqual({(message.model, message.res_id) for message in messages},
                         {("service.advisory", notices.advisory_id.id)},
                         "in the advisory's chatter, where the owners' replies land")
        self.assertEqual(messages.notification_ids.res_partner_id, self.customer | self.owner_cn)

    def test_each_owner_reads_it_in_their_language(self):
        advisory = self._advisory()
        advisory.update_field_translations("title", {"zh_CN": "电池可能过热"})
        # The text is translated paragraph by paragraph, as Odoo translates HTML.
        advisory.update_field_translations("description", {"zh_CN": {
            "Do not charge below 0 °C; we replace the battery free of charge.":
                "请勿在 0 °C 以下充电。我们免费更换电池。",
        }})
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        by_owner = {mail.recipient_ids: mail for mail in self._mails(notices)}
        chinese, english = by_owner[self.owner_cn], by_owner[self.customer]
        self.assertIn("电池可能过热", chinese.subject)
        self.assertIn("请勿在 0 °C 以下充电", chinese.body_html)
        self.assertIn("Battery may overheat", english.subject)
        self.assertIn("Do not charge below 0", english.body_html)
        self.assertNotIn("电池", english.body_html)

    def test_a_second_run_tells_only_the_owners_that_came_since(self):
        advisory = self._advisory()
        first = advisory.with_user(self.maint_manager).action_notify_owners()
        again = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertFalse(again, "nobody is told twice")
        self.assertEqual(len(self._mails(first)), 2)
        newcomer = self.env["res.partner"].create({"name": "New Owner", "email": "new@owner.example.com"})
        self._own(newcomer, self.product, ["NEW-0001"])
        later = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertEqual(later.partner_id, newcomer)
        self.assertEqual(advisory.notified_count, 3)
        Notice = self.env["service.advisory.notice"]
        self.assertEqual(Notice.search_count([("advisory_id", "=", advisory.id)]), 3)

    def test_a_range_of_serials_is_compared_as_the_serials_sort(self):
        owner = self.env["res.partner"].create({"name": "Range Owner", "email": "range@owner.example.com"})
        lots = self._own(owner, self.product, ["B-005", "B-010", "B-015", "B-020", "B-100"])
        advisory = self._advisory(scope="range", serial_from="B-010", serial_to="B-020")
        self.assertEqual(advisory.unit_count, 3)
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertEqual(notices.partner_id, owner, "the customer's RMA-… units are outside the range")
        self.assertEqual(notices.lot_ids.mapped("name"), ["B-010", "B-015", "B-020"])
        self.assertNotIn(lots[0] | lots[-1], notices.lot_ids)
        open_ended = self._advisory(scope="range", serial_from="CN-0000")
        told = open_ended.with_user(self.maint_manager).action_notify_owners()
        self.assertEqual(told.partner_id, self.owner_cn | self.customer,
                         "CN-0001 and RMA-… sort after CN-0000")
        self.assertFalse(told.lot_ids & lots, "B-… sorts before it")

    def test_a_list_of_serials_tells_their_owners_only(self):
        advisory = self._advisory(scope="list", lot_ids=[(6, 0, self.lot2.ids)])
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertEqual(notices.partner_id, self.customer)
        self.assertEqual(notices.lot_ids, self.lot2)

    def test_scope_must_be_complete_and_of_the_product(self):
        with self.assertRaises(ValidationError):
            self._advisory(scope="range")
        with self.assertRaises(ValidationError):
            self._advisory(scope="range", serial_from="Z", serial_to="A")
        with self.assertRaises(ValidationError):
            self._advisory(scope="list")
        with self.assertRaises(ValidationError):
            self._advisory(scope="list", lot_ids=[(6, 0, self.cable_lots.ids)])

    def test_only_live_certificates_make_owners(self):
        former = self.env["res.partner"].create({"name": "Former Owner", "email": "former@owner.example.com"})
        lot = self._own(former, self.product, ["OLD-0001"])
        lot.warranty_ids._void("sold on")
        advisory = self._advisory()
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        self.assertNotIn(former, notices.partner_id)

    def test_an_owner_without_e_mail_gets_a_notice_in_the_portal_only(self):
        self._own(self.owner_no_email, self.product, ["PAPER-01"])
        notices = self._advisory().with_user(self.maint_manager).action_notify_owners()
        paper = notices.filtered(lambda notice: notice.partner_id == self.owner_no_email)
        self.assertTrue(paper)
        self.assertFalse(paper.emailed)
        self.assertFalse(self._mails(paper))

    def test_notifying_costs_the_same_queries_for_few_or_many_owners(self):
        def notify(count, prefix):
            owners = self.env["res.partner"].create([
                {"name": f"{prefix} owner {i}", "email": f"{prefix}{i}@owner.example.com"}
                for i in range(count)
            ])
            for i, owner in enumerate(owners):
                self._own(owner, self.product, [f"{prefix}-{i:03d}"])
            advisory = self._advisory(scope="range", serial_from=f"{prefix}-000", serial_to=f"{prefix}-999")
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            notices = advisory.with_user(self.maint_manager).action_notify_owners()
            self.env.flush_all()
            self.assertEqual(len(notices), count)
            return self.env.cr.sql_log_count - before

        notify(2, "QW")  # caches warmed: templates compiled, references looked up
        few = notify(3, "QA")
        many = notify(30, "QB")
        self.assertEqual(few, many, "the queries of a run do not grow with its owners")

    def test_targeting_is_fixed_once_owners_are_told(self):
        advisory = self._advisory()
        advisory.with_user(self.maint_manager).action_notify_owners()
        with self.assertRaises(UserError):
            advisory.with_user(self.maint_manager).scope = "list"
        advisory.with_user(self.maint_manager).title = "Battery may overheat when cold"
        with self.assertRaises(UserError):
            advisory.with_user(self.maint_manager).unlink()

    def test_states_move_through_the_actions_only(self):
        advisory = self._advisory()
        with self.assertRaises(AccessError):
            advisory.with_user(self.maint_manager).state = "published"
        advisory.with_user(self.maint_manager).action_publish()
        self.assertEqual(advisory.state, "published")
        self.assertTrue(advisory.date_published)
        advisory.with_user(self.maint_manager).action_close()
        self.assertEqual(advisory.state, "closed")
        with self.assertRaises(UserError):
            advisory.with_user(self.maint_manager).action_notify_owners()

    def test_engineers_read_and_record_acknowledgements_managers_notify(self):
        advisory = self._advisory()
        with self.assertRaises(AccessError):
            self._advisory(user=self.maint_engineer)
        self.assertFalse(advisory.with_user(self.maint_engineer).can_notify)
        with self.assertRaises(UserError):
            advisory.with_user(self.maint_engineer).action_notify_owners()
        notices = advisory.with_user(self.maint_manager).action_notify_owners()
        notice = notices.filtered(lambda n: n.partner_id == self.customer).with_user(self.maint_engineer)
        notice.action_acknowledge()
        self.assertEqual(notice.acknowledged_via, "staff")
        self.assertEqual(notice.acknowledged_by, "Eli Engineer")
        self.assertEqual(advisory.acknowledged_count, 1)
        with self.assertRaises(AccessError):
            notice.partner_id = self.owner_cn
        with self.assertRaises(AccessError):
            notice.date_acknowledged = False

    def test_portal_customers_see_their_own_notices_only(self):
        notices = self._advisory().with_user(self.maint_manager).action_notify_owners()
        Notice = self.env["service.advisory.notice"]
        mine = notices.filtered(lambda n: n.partner_id == self.customer)
        self.assertEqual(Notice.with_user(self.portal_user).search([]), mine)
        self.assertFalse(Notice.with_user(self.other_portal_user).search([]))
        with self.assertRaises(AccessError):
            (notices - mine).with_user(self.portal_user).read(["partner_id"])
        with self.assertRaises(AccessError):
            self.env["service.advisory"].with_user(self.portal_user).search([])

    def test_advisories_and_their_owners_stay_in_their_company(self):
        branch = self.env["res.company"].create(
            {"name": "Branch Office", "email": "branch@vendor.example.com"}
        )
        branch_owner = self.env["res.partner"].create({"name": "Branch Owner", "email": "bo@example.com"})
        lot = self.env["stock.lot"].create({"name": "BR-0001", "product_id": self.product.id,
                                            "company_id": branch.id})
        self.env["service.warranty"].create({
            "lot_id": lot.id, "partner_id": branch_owner.id, "policy_id": self.policy.id,
            "company_id": branch.id, "date_delivery": "2026-01-10", "state": "active",
        })
        notices = self._advisory().with_user(self.maint_manager).action_notify_owners()
        self.assertNotIn(branch_owner, notices.partner_id, "a company tells its own customers")
        theirs = self.env["service.advisory"].create({
            "title": "Branch advisory", "product_id": self.product.id, "company_id": branch.id,
        })
        Advisory = self.env["service.advisory"].with_user(self.maint_manager)
        self.assertNotIn(theirs, Advisory.search([]))
        with self.assertRaises(AccessError):
            theirs.with_user(self.maint_manager).read(["title"])

    def test_the_e_mail_around_the_advisory_speaks_the_owner_language(self):
        self.env["ir.module.module"]._load_module_terms(["service_maintenance"], ["zh_CN"], overwrite=True)
        notices = self._advisory().with_user(self.maint_manager).action_notify_owners()
        by_owner = {mail.recipient_ids: mail for mail in self._mails(notices)}
        chinese, english = by_owner[self.owner_cn].body_html, by_owner[self.customer].body_html
        for text in ("尊敬的", "您受影响的设备：", "阅读并确认", "如有任何问题，请回复此邮件。"):  # noqa: RUF001 (the Chinese text itself)
            self.assertIn(text, chinese)
            self.assertNotIn(text, english)
        self.assertIn("Your units concerned:", english)
        self.assertIn("CN-0001", chinese)

    def test_owner_names_and_serials_are_escaped_in_the_e_mail(self):
        tricky = self.env["res.partner"].create(
            {"name": "<b>Bold</b> & Co", "email": "bold@owner.example.com"}
        )
        self._own(tricky, self.product, ["<i>X-1</i>"])
        notices = self._advisory().with_user(self.maint_manager).action_notify_owners()
        body = self._mails(notices.filtered(lambda n: n.partner_id == tricky)).body_html
        self.assertIn("&lt;b&gt;Bold&lt;/b&gt; &amp; Co", body)
        self.assertIn("&lt;i&gt;X-1&lt;/i&gt;", body)
        self.assertNotIn("<b>Bold", body)
