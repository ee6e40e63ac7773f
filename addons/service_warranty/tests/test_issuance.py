from freezegun import freeze_time
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestIssuance(WarrantyCase):
    def test_one_serial_delivered(self):
        order, picking = self._deliver(self.product, ["IP7-0001"], user=self.stock_user)
        warranty = self.env["service.warranty"].search([("picking_id", "=", picking.id)])
        self.assertEqual(len(warranty), 1)
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.origin, "delivery")
        self.assertEqual(warranty.lot_id.name, "IP7-0001")
        self.assertEqual(warranty.partner_id, self.customer)
        self.assertEqual(warranty.policy_id, self.policy)
        self.assertEqual(warranty.sale_line_id, order.order_line)
        self.assertEqual(warranty.sale_order_id, order)
        self.assertEqual(warranty.company_id, self.company)
        today = fields.Date.context_today(warranty)
        self.assertEqual(warranty.date_delivery, today)
        self.assertEqual(warranty.date_start, today)
        self.assertTrue(warranty.name.startswith("WAR/"))
        self.assertRegex(warranty.lot_id.sudo().service_token, r"^[A-Za-z0-9_-]{32}$")
        self.assertEqual(order.warranty_count, 1)
        self.assertEqual(picking.warranty_count, 1)
        self.assertEqual(warranty.lot_id.warranty_id, warranty)

    def test_many_serials_one_batch(self):
        serials = [f"IP7-1{i:03d}" for i in range(25)]
        _order, picking = self._deliver(self.product, serials)
        warranties = self.env["service.warranty"].search([("picking_id", "=", picking.id)])
        self.assertEqual(sorted(warranties.lot_id.mapped("name")), serials)
        self.assertEqual(len(set(warranties.mapped("name"))), 25, "every certificate has its own number")
        tokens = warranties.lot_id.sudo().mapped("service_token")
        self.assertEqual(len(set(tokens)), 25, "every unit has its own token")
        self.assertEqual(set(warranties.mapped("state")), {"active"})

    def test_no_certificate_without_serial_or_policy(self):
        self._make_lots(self.product_no_policy, ["CK-1"])
        self.env["stock.quant"]._update_available_quantity(
            self.product_untracked, self.stock_location, 10
        )
        order = self._sell([(self.product_no_policy, 1), (self.product_untracked, 3)])
        self._validate(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "done")
        self.assertFalse(
            self.env["service.warranty"].search([("sale_order_id", "=", order.id)]),
            "neither a product without a policy nor an untracked product gets a certificate",
        )

    def test_category_policy_applies(self):
        category = self.env["product.category"].create(
            {"name": "Monitors", "warranty_policy_id": self.policy.id}
        )
        self.product_no_policy.categ_id = category
        _order, picking = self._deliver(self.product_no_policy, ["CK-9"])
        self.assertEqual(picking.warranty_ids.policy_id, self.policy)

    def test_one_live_certificate_per_serial(self):
        _order, picking = self._deliver(self.product, ["IP7-0002"])
        warranty = picking.warranty_ids
        # A second issuance for the same unit creates nothing new.
        self.assertFalse(picking._service_warranty_issue())
        self.assertEqual(self.env["service.warranty"].search_count([("lot_id", "=", warranty.lot_id.id)]), 1)
        # The database refuses a second live certificate whoever writes it.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["service.warranty"].create(
                {
                    "lot_id": warranty.lot_id.id,
                    "partner_id": self.other_customer.id,
                    "policy_id": self.policy.id,
                    "state": "active",
                }
            )
        # Once voided, the unit can be issued again (sold to someone else).
        warranty._void("sold back")
        again = self.env["service.warranty"].create(
            {"lot_id": warranty.lot_id.id, "partner_id": self.other_customer.id, "policy_id": self.policy.id}
        )
        self.assertEqual(again.lot_id.warranty_id, again)
        self.assertEqual(
            again.lot_id.sudo().service_token, warranty.lot_id.sudo().service_token,
            "a unit keeps its token (and its printed label) for life",
        )

    def test_invoice_linked_once_posted(self):
        self.policy.start_on = "invoice"
        order, picking = self._deliver(self.product, ["IP7-0003"])
        warranty = picking.warranty_ids
        self.assertFalse(warranty.invoice_ref)
        self.assertEqual(warranty.date_start, warranty.date_delivery, "until invoiced, delivery dates it")
        invoice = order._create_invoices()
        invoice.invoice_date = fields.Date.add(warranty.date_delivery, days=5)
        invoice.action_post()
        self.assertEqual(warranty.invoice_ids, invoice)
        self.assertEqual(warranty.invoice_ref, invoice.name)
        self.assertEqual(warranty.date_invoice, invoice.invoice_date)
        self.assertEqual(warranty.date_start, invoice.invoice_date)

    def _return(self, picking):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        return_picking = wizard._create_return()
        self._validate(return_picking)
        return return_picking

    def test_return_voids_when_policy_says(self):
        _order, picking = self._deliver(self.product, ["IP7-0004"])
        warranty = picking.warranty_ids
        return_picking = self._return(picking)
        self.assertEqual(warranty.state, "void")
        self.assertIn(return_picking.name, warranty.void_reason)

    def test_return_keeps_when_policy_says(self):
        self.policy.void_on_return = False
        _order, picking = self._deliver(self.product, ["IP7-0005"])
        warranty = picking.warranty_ids
        self._return(picking)
        self.assertEqual(warranty.state, "active")
        self.assertIn("the certificate is kept", warranty.message_ids[:1].body)

    def test_issue_by_hand(self):
        lots = self._make_lots(self.product, ["IP7-OLD-1", "IP7-OLD-2"])
        wizard = Form(
            self.env["service.warranty.issue"].with_user(self.sales_user).with_context(
                default_lot_ids=lots.ids
            )
        )
        wizard.partner_id = self.customer
        wizard.date_sale = "2026-01-10"
        wizard.date_delivery = "2026-01-12"
        wizard.invoice_ref = "OLD-INV-77"
        action = wizard.save().action_issue()
        warranties = self.env["service.warranty"].search(action["domain"])
        self.assertEqual(len(warranties), 2)
        self.assertEqual(set(warranties.mapped("origin")), {"manual"})
        self.assertEqual(set(warranties.mapped("invoice_ref")), {"OLD-INV-77"})
        self.assertEqual(warranties[0].date_start, fields.Date.to_date("2026-01-12"))
        # Issuing again is refused with the reason.
        wizard = self.env["service.warranty.issue"].with_user(self.sales_user).create(
            {"lot_ids": [Command.set(lots.ids)], "partner_id": self.customer.id}
        )
        with self.assertRaisesRegex(UserError, "already have a live certificate"):
            wizard.action_issue()

    def test_issue_by_hand_needs_policy(self):
        lot = self._make_lots(self.product_no_policy, ["CK-77"])
        wizard = self.env["service.warranty.issue"].create(
            {"lot_ids": [Command.set(lot.ids)], "partner_id": self.customer.id}
        )
        with self.assertRaisesRegex(UserError, "No warranty policy for Cable kit"):
            wizard.action_issue()

    def test_record_installation_moves_start(self):
        self.policy.write({"start_on": "installation", "install_grace_days": 60})
        _order, picking = self._deliver(self.product, ["IP7-0006"])
        warranty = picking.warranty_ids
        delivered = warranty.date_delivery
        self.assertEqual(warranty.date_start, fields.Date.add(delivered, days=60))
        # Installed twelve days after the delivery: recorded on that day (a
        # date in the future is refused).
        with freeze_time(fields.Date.add(delivered, days=12)):
            warranty.with_user(self.sales_user).record_installation(fields.Date.add(delivered, days=12))
        self.assertEqual(warranty.date_start, fields.Date.add(delivered, days=12))
        self.assertEqual(
            warranty.date_end,
            fields.Date.subtract(fields.Date.add(delivered, days=12, years=1), days=1),
        )
        warranty._void("test")
        with self.assertRaisesRegex(UserError, "can no longer change"):
            warranty.record_installation(delivered)


@tagged("post_install", "-at_install")
class TestIssuanceQueries(WarrantyCase):
    """Issuing certificates costs no query per serial: 5 and 100 serials cost
    the same; 500 cost only what Odoo's fixed 100-row SQL batches add (a few
    statements per hundred rows), far from one per serial."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Deliver while the products have no policy, so no certificate exists
        # yet; the tests then issue them and count the queries.
        sizes = {"warmup": 1, "small": 5, "medium": 100, "big": 500}
        cls.pickings = {}
        for label, size in sizes.items():
            product = cls.env["product.product"].create(
                {"name": f"Sensor {label}", "is_storable": True, "tracking": "serial"}
            )
            _order, picking = cls._deliver(product, [f"{label}-{i:04d}" for i in range(size)])
            cls.pickings[label] = picking.id
            product.warranty_policy_id = cls.policy

    def _count_issue_queries(self, label):
        self.env.flush_all()
        self.env.invalidate_all()
        picking = self.env["stock.picking"].browse(self.pickings[label])
        before = self.env.cr.sql_log_count
        warranties = picking._service_warranty_issue()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, warranties

    def test_query_count_does_not_grow(self):
        self._count_issue_queries("warmup")  # fills the caches every issuance shares
        small_count, small = self._count_issue_queries("small")
        medium_count, medium = self._count_issue_queries("medium")
        big_count, big = self._count_issue_queries("big")
        self.assertEqual((len(small), len(medium), len(big)), (5, 100, 500))
        self.assertEqual(
            medium_count, small_count,
            f"issuing 100 certificates took {medium_count} queries, 5 took {small_count}",
        )
        self.assertLessEqual(
            big_count - small_count, 4 * 3,
            f"issuing 500 certificates took {big_count} queries, 5 took {small_count}: "
            "more than 3 statements (certificates, chatter, lots) per extra 100-row batch",
        )
        self.assertLess(small_count, 40)
