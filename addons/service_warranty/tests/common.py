from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class WarrantyCase(TransactionCase):
    """Shared data: a warehouse with serial-tracked products, a customer, a
    one-year policy, and users for each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Hospital", "email": "it@acme-hospital.example.com", "city": "Gotham"}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Clinic"})
        Exclusion = cls.env["service.warranty.exclusion"]
        cls.excl_misuse = cls.env.ref("service_warranty.exclusion_misuse")
        cls.excl_accident = cls.env.ref("service_warranty.exclusion_accident")
        cls.excl_label = cls.env.ref("service_warranty.exclusion_label_tampered")
        cls.all_exclusions = Exclusion.search([])
        cls.policy = cls.env["service.warranty.policy"].create(
            {
                "name": "1 year, 7-day refund, 30-day exchange",
                "warranty_months": 12,
                "start_on": "delivery",
                "refund_days": 7,
                "exchange_days": 30,
                "post_warranty_mode": "at_cost",
                "void_on_return": True,
                "reminder_days": 30,
                "exclusion_ids": [Command.set((cls.excl_misuse | cls.excl_accident).ids)],
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Infusion Pump IP-7",
                "default_code": "IP-7",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 900.0,
                "standard_price": 500.0,
                "warranty_policy_id": cls.policy.id,
            }
        )
        cls.product_no_policy = cls.env["product.product"].create(
            {"name": "Cable kit", "is_storable": True, "tracking": "serial", "list_price": 20.0}
        )
        cls.product_untracked = cls.env["product.product"].create(
            {
                "name": "Gel pads",
                "is_storable": True,
                "tracking": "none",
                "list_price": 5.0,
                "warranty_policy_id": cls.policy.id,
            }
        )
        cls.sales_user = new_test_user(
            cls.env, login="sw_sales", groups="sales_team.group_sale_salesman",
            name="Sally Sales",
        )
        cls.stock_user = new_test_user(
            cls.env, login="sw_stock", groups="stock.group_stock_user", name="Walter Warehouse"
        )
        cls.manager = new_test_user(
            cls.env, login="sw_manager",
            groups="service_warranty.group_aftersales_manager,stock.group_stock_user",
            name="Mona Manager",
        )

    @classmethod
    def _make_lots(cls, product, names):
        lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": product.id} for name in names]
        )
        Quant = cls.env["stock.quant"]
        for lot in lots:
            Quant._update_available_quantity(product, cls.stock_location, 1, lot_id=lot)
        return lots

    @classmethod
    def _sell(cls, lines, partner=None):
        """Confirm a sale of [(product, qty)] and return it."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _validate(cls, picking, user=None):
        picking = picking.with_user(user) if user else picking
        picking.action_assign()
        picking.move_ids.picked = True
        result = picking.button_validate()
        assert result is True, f"validation opened a wizard: {result}"
        return picking

    @classmethod
    def _deliver(cls, product, serials, partner=None, user=None):
        """Sell and deliver the given serials; return (order, picking)."""
        cls._make_lots(product, serials)
        order = cls._sell([(product, len(serials))], partner)
        picking = order.picking_ids
        cls._validate(picking, user)
        return order, picking
